/**
 * Errors the HTTP edge adds to the product's taxonomy (all TributaryErrors, so they map to
 * status codes the same way), and the mapping of any thrown value to an error response.
 */
import { randomUUID } from 'node:crypto';
import { TributaryError, TransientError } from '../errors';
import type { ServerLog } from './services';
import type { ApiResponse } from './types';

/** 401. `challenge` becomes the WWW-Authenticate header. */
export class UnauthorizedError extends TributaryError {
  readonly challenge: string;
  constructor(message: string, invalidToken: boolean) {
    super('Unauthorized', 401, message, { target: 'Authorization' });
    this.challenge = invalidToken ? 'Bearer realm="tributary", error="invalid_token"' : 'Bearer realm="tributary"';
  }
}

/** 403: who is calling is known, but may not do this. */
export class ForbiddenError extends TributaryError {
  readonly challenge = 'Bearer realm="tributary", error="insufficient_scope"';
  constructor(message: string) {
    super('Forbidden', 403, message, { target: 'Authorization' });
  }
}

export class PayloadTooLargeError extends TributaryError {
  constructor(limitBytes: number) {
    super('PayloadTooLarge', 413, `request body is larger than the limit of ${limitBytes} bytes`, { target: 'body' });
  }
}

export class UnsupportedMediaTypeError extends TributaryError {
  constructor(got: string | undefined) {
    super('UnsupportedMediaType', 415, `send the body as JSON with Content-Type: application/json (got ${got ? JSON.stringify(got) : 'no Content-Type'})`, {
      target: 'Content-Type',
    });
  }
}

/**
 * The response for anything a handler threw. Our own errors go out as they are (code, message,
 * target); anything else is a 500 with a generic message and a correlation id, its details only
 * in the server log.
 */
export function errorResponse(err: unknown, log: ServerLog, route: string): ApiResponse {
  if (err instanceof TributaryError && err.status < 500) {
    const headers: Record<string, string> = err instanceof UnauthorizedError || err instanceof ForbiddenError ? { 'www-authenticate': err.challenge } : {};
    return { status: err.status, headers, json: { error: err.toJSON() } };
  }
  const correlationId = randomUUID();
  if (err instanceof TransientError) {
    log.error('transient failure', { route, correlationId, error: err.message });
    const retryAfter = String(Math.max(1, Math.ceil((err.retryAfterMs ?? 1000) / 1000)));
    const message = `the service is busy; retry in ${retryAfter} s (correlation id ${correlationId})`;
    return { status: 503, headers: { 'retry-after': retryAfter }, json: { error: { code: err.code, message, correlationId } } };
  }
  log.error('unexpected error', { route, correlationId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
  return {
    status: 500,
    json: { error: { code: 'Internal', message: `internal error; quote correlation id ${correlationId} when reporting it`, correlationId } },
  };
}
