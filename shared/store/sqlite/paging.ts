import { ValidationError } from '../../errors';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** Checks a page size: an integer 1..500, default 50. */
export function pageSize(limit: number | undefined, target = 'limit'): number {
  if (limit === undefined) return DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ValidationError(`${target} must be an integer from 1 to ${MAX_PAGE_SIZE} (got ${String(limit)})`, target);
  }
  return limit;
}

/** The key of the last item of a page: listings are ordered by (createdAt, id), newest first. */
export interface RunKey {
  createdAt: string;
  id: string;
}

/** An opaque token: base64url of the last key of the previous page. */
export function encodeRunKey(key: RunKey): string {
  return Buffer.from(JSON.stringify([key.createdAt, key.id]), 'utf8').toString('base64url');
}

export function decodeRunKey(token: string): RunKey {
  const invalid = (): ValidationError =>
    new ValidationError('continuationToken is not a token returned by listRuns (pass it back unchanged)', 'continuationToken');
  let decoded: unknown;
  try {
    decoded = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(decoded) || decoded.length !== 2) throw invalid();
  const [createdAt, id] = decoded;
  if (typeof createdAt !== 'string' || typeof id !== 'string') throw invalid();
  return { createdAt, id };
}
