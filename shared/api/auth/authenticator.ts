import { UnauthorizedError } from '../http-errors';
import type { Principal } from '../types';

/**
 * Decides who is calling from the Authorization header. Implementations never log, store or echo
 * the credential; a failure is an UnauthorizedError whose message says what to fix.
 */
export interface Authenticator {
  authenticate(authorization: string | undefined): Promise<Principal>;
}

/** The token of `Authorization: Bearer <token>`, or UnauthorizedError. */
export function bearerToken(authorization: string | undefined): string {
  if (authorization === undefined || authorization.trim() === '') {
    throw new UnauthorizedError('missing credentials: send Authorization: Bearer <key or token>', false);
  }
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(authorization);
  if (!match) throw new UnauthorizedError('the Authorization header must be "Bearer <key or token>"', true);
  return match[1]!;
}
