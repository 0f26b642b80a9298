/** How Cosmos DB failures map onto the error taxonomy. */
import { TransientError } from '../../errors';

export const CONFLICT = 409;
export const PRECONDITION_FAILED = 412;
export const NOT_FOUND = 404;

/** HTTP status of a Cosmos error (the client puts it in `code`). */
export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** Statuses worth another try: throttling (the client already retried it), timeouts, unavailability. */
const TRANSIENT = new Set([408, 429, 449, 503]);
const NETWORK = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN']);

/** Throttling and outages become TransientError (with the server's delay); anything else is rethrown. */
export function asStoreError(err: unknown, operation: string): unknown {
  const status = statusOf(err);
  const networkCode = (err as { code?: unknown } | null)?.code;
  if ((status !== undefined && TRANSIENT.has(status)) || (typeof networkCode === 'string' && NETWORK.has(networkCode))) {
    const retryAfterMs = (err as { retryAfterInMs?: number }).retryAfterInMs;
    const reason = status === 429 ? 'Cosmos DB is throttling requests (429)' : `Cosmos DB is unavailable (${status ?? String(networkCode)})`;
    return new TransientError(`${operation}: ${reason}; try again shortly`, { retryAfterMs, cause: err });
  }
  return err;
}

/** Runs one store operation, turning throttling and outages into TransientError. */
export async function withStoreErrors<T>(operation: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw asStoreError(err, operation);
  }
}
