/**
 * One error taxonomy for the whole product. Every error a user can see is one of these:
 * each has a stable `code`, an HTTP status and an optional `target` (the field, file:line or
 * object path the message is about). Anything else reaching a boundary is an internal error.
 */

export type ErrorCode =
  | 'ValidationError'
  | 'NotFound'
  | 'Conflict'
  | 'Unauthorized'
  | 'Forbidden'
  | 'PayloadTooLarge'
  | 'UnsupportedMediaType'
  | 'Transient'
  | 'StepFailed'
  | 'Internal';

export class TributaryError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly target?: string;
  /** Transient errors are retried with backoff; all others are terminal. */
  readonly retryable: boolean;

  constructor(code: ErrorCode, status: number, message: string, options: { target?: string; retryable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = code;
    this.code = code;
    this.status = status;
    this.target = options.target;
    this.retryable = options.retryable ?? false;
  }

  toJSON(): { code: ErrorCode; message: string; target?: string } {
    return { code: this.code, message: this.message, ...(this.target ? { target: this.target } : {}) };
  }
}

/** Bad input from a user: never retried; 400. `target` names the field/file:line. */
export class ValidationError extends TributaryError {
  /** Further problems found in the same pass (the first one is this error's own message). */
  readonly problems: string[];
  constructor(message: string, target?: string, problems: string[] = []) {
    super('ValidationError', 400, message, { target });
    this.problems = problems;
  }
}

export class NotFoundError extends TributaryError {
  constructor(message: string, target?: string) {
    super('NotFound', 404, message, { target });
  }
}

export class ConflictError extends TributaryError {
  constructor(message: string, target?: string) {
    super('Conflict', 409, message, { target });
  }
}

/** A failure that may go away on its own (network, throttling, a busy store): retried with backoff. */
export class TransientError extends TributaryError {
  /** Server-suggested delay before retrying, when known (e.g. Cosmos 429 `retry-after-ms`). */
  readonly retryAfterMs?: number;
  constructor(message: string, options: { retryAfterMs?: number; cause?: unknown } = {}) {
    super('Transient', 503, message, { retryable: true, cause: options.cause });
    this.retryAfterMs = options.retryAfterMs;
  }
}

/** Collects several validation problems and throws them as one ValidationError. */
export class ProblemList {
  private readonly items: { message: string; target?: string }[] = [];

  add(message: string, target?: string): void {
    this.items.push({ message, target });
  }

  get size(): number {
    return this.items.length;
  }

  throwIfAny(): void {
    if (this.items.length === 0) return;
    const lines = this.items.map((p) => (p.target ? `${p.target}: ${p.message}` : p.message));
    const first = this.items[0]!;
    const message = lines.length === 1 ? lines[0]! : `${lines.length} problems:\n  - ${lines.join('\n  - ')}`;
    throw new ValidationError(message, first.target, lines);
  }
}

export function isTributaryError(err: unknown): err is TributaryError {
  return err instanceof TributaryError;
}

/** A message safe to show a user: our own errors as they are, anything else without internals. */
export function describeError(err: unknown): string {
  if (err instanceof TributaryError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
