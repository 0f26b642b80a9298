/**
 * Activities retry transient failures (throttling, a busy store, a dropped connection) in place,
 * with exponential backoff that honors a server's requested delay. Terminal errors are never
 * retried. When retries run out the error goes to the orchestration, which fails the step with
 * its message.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { TransientError, TributaryError } from '../../shared/errors';

export interface TransientRetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/** About a minute of retrying in total: long enough for a throttling burst, short for a function. */
export const DEFAULT_TRANSIENT_RETRY: TransientRetryPolicy = { maxAttempts: 6, initialDelayMs: 500, maxDelayMs: 20_000 };

export async function withTransientRetry<T>(work: () => Promise<T>, policy: TransientRetryPolicy): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (err) {
      if (!(err instanceof TributaryError && err.retryable)) throw err;
      if (attempt >= policy.maxAttempts) {
        throw new TransientError(`${err.message} (still failing after ${attempt} attempts)`, { cause: err, retryAfterMs: retryAfter(err) });
      }
      const backoff = Math.min(policy.initialDelayMs * 2 ** (attempt - 1), policy.maxDelayMs);
      await delay(Math.max(backoff, retryAfter(err) ?? 0));
    }
  }
}

function retryAfter(err: TributaryError): number | undefined {
  return err instanceof TransientError ? err.retryAfterMs : undefined;
}
