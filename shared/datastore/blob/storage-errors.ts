import { isRestError } from '@azure/storage-blob';
import { ConflictError, NotFoundError, TransientError, TributaryError } from '../../errors';

/** HTTP status of a storage failure, when the service answered. */
export function storageStatus(err: unknown): number | undefined {
  return isRestError(err) ? err.statusCode : undefined;
}

/**
 * A storage failure as one of our errors, saying what was being done: throttling, 5xx and network
 * failures are transient (retried); 404/409 keep their meaning; auth failures say so.
 */
export function storageError(err: unknown, what: string): TributaryError {
  if (err instanceof TributaryError) return err;
  const status = storageStatus(err);
  const detail = firstLine(err instanceof Error ? err.message : String(err));
  if (status === 404) return new NotFoundError(`${what}: not found`);
  if (status === 409 || status === 412) return new ConflictError(`${what}: ${detail}`);
  if (status === 401 || status === 403) return new TributaryError(status === 401 ? 'Unauthorized' : 'Forbidden', status, `${what}: access denied by storage (${detail})`);
  if (status === undefined || status === 408 || status === 429 || status >= 500) return new TransientError(`${what}: ${detail}`, { cause: err });
  return new TributaryError('Internal', 500, `${what}: storage answered ${status}: ${detail}`, { cause: err });
}

function firstLine(text: string): string {
  return text.split('\n')[0]!.trim();
}
