import { ValidationError } from '../errors';

/** Names that become folder names, blob path segments and record keys. */
export const SAFE_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,254}$/;
/** Run ids: readable, sortable, safe in paths and Durable instance ids. */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;

export function assertSafeName(value: string, what: string): void {
  const ok = what === 'run id' ? SAFE_ID.test(value) && !value.includes('..') : SAFE_NAME.test(value);
  if (!ok) {
    throw new ValidationError(
      `${what} ${JSON.stringify(value)} is not allowed: use letters, digits, "_" and "-" (start with a letter or "_")`,
      what,
    );
  }
}
