/**
 * Microsoft Entra ID bearer tokens (Azure): signature checked against the tenant's published keys
 * (JWKS, fetched and cached by jose), then issuer, audience, expiry and not-before. Only RS256,
 * the algorithm Entra signs access tokens with, is accepted. Then authorization: any app in the
 * tenant can obtain a token for our audience, so a token must also carry one of the required app
 * roles (`roles`, assigned to a user or a service principal) or delegated scopes (`scp`).
 */
import type { JWTPayload } from 'jose' with { 'resolution-mode': 'import' };
import { TransientError } from '../../errors';
import { ForbiddenError, UnauthorizedError } from '../http-errors';
import type { Principal } from '../types';
import { bearerToken, type Authenticator } from './authenticator';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });

export interface EntraSettings {
  tenantId: string;
  /** Accepted `aud` values, e.g. `api://<app id>` and the app id itself. */
  audiences: string[];
  /** Accepted `iss` values: by default the tenant's v2.0 and v1.0 issuers. */
  issuers: string[];
  /** The tenant's signing keys: by default its discovery keys URL. */
  jwksUri: string;
  /** Allowed clock skew for exp/nbf, in seconds (default 60). */
  clockToleranceSeconds?: number;
  /**
   * App roles or delegated scopes of which a token must carry at least one (in its `roles` or `scp`
   * claim). Empty: any token of the tenant for the audience is let in.
   */
  requiredRoles: string[];
}

/** The app role a token needs when the settings name none. */
export const DEFAULT_REQUIRED_ROLE = 'Tributary.Access';

/** Defaults of a tenant's issuers and keys URL. */
export function entraDefaults(tenantId: string): Pick<EntraSettings, 'issuers' | 'jwksUri'> {
  return {
    issuers: [`https://login.microsoftonline.com/${tenantId}/v2.0`, `https://sts.windows.net/${tenantId}/`],
    jwksUri: `https://login.microsoftonline.com/${tenantId}/discovery/v2.0/keys`,
  };
}

const REASONS: Record<string, string> = {
  ERR_JWT_EXPIRED: 'the token has expired',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'the token signature is not valid',
  ERR_JWKS_NO_MATCHING_KEY: 'the token is not signed by a key of the tenant',
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: 'the token is not signed by a key of the tenant',
  ERR_JOSE_ALG_NOT_ALLOWED: 'the token is not signed with RS256',
  ERR_JWS_INVALID: 'the token is not a well-formed JWT',
  ERR_JWT_INVALID: 'the token is not a well-formed JWT',
};

export class EntraAuthenticator implements Authenticator {
  private verifier?: Promise<{ jose: Jose; keys: ReturnType<Jose['createRemoteJWKSet']> }>;

  constructor(private readonly settings: EntraSettings) {}

  async authenticate(authorization: string | undefined): Promise<Principal> {
    const token = bearerToken(authorization);
    const { jose, keys } = await this.load();
    let payload: JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, keys, {
        issuer: this.settings.issuers,
        audience: this.settings.audiences,
        algorithms: ['RS256'],
        clockTolerance: this.settings.clockToleranceSeconds ?? 60,
        requiredClaims: ['exp'],
      }));
    } catch (err) {
      throw verificationError(err, jose);
    }
    assertRole(payload, this.settings.requiredRoles);
    const subject = claim(payload, 'oid') ?? payload.sub ?? 'unknown';
    const tenantId = claim(payload, 'tid');
    const appId = claim(payload, 'azp') ?? claim(payload, 'appid');
    return { kind: 'entra', subject, ...(tenantId ? { tenantId } : {}), ...(appId ? { appId } : {}) };
  }

  private load() {
    this.verifier ??= import('jose').then((jose) => ({
      jose,
      keys: jose.createRemoteJWKSet(new URL(this.settings.jwksUri), { timeoutDuration: 5000, cooldownDuration: 30_000 }),
    }));
    return this.verifier;
  }
}

/** 403 unless the token carries one of `required` as an app role or a delegated scope. */
function assertRole(payload: JWTPayload, required: readonly string[]): void {
  if (required.length === 0) return;
  const roles = Array.isArray(payload['roles']) ? payload['roles'].filter((r): r is string => typeof r === 'string') : [];
  const scopes = (claim(payload, 'scp') ?? '').split(' ').filter(Boolean);
  if (required.some((r) => roles.includes(r) || scopes.includes(r))) return;
  throw new ForbiddenError(
    `the token carries none of the app roles or scopes this API requires (${required.join(', ')}); ` +
      'assign the app role to the calling user or service principal in the app registration, then get a new token',
  );
}

function claim(payload: JWTPayload, name: string): string | undefined {
  const value = payload[name];
  return typeof value === 'string' ? value : undefined;
}

/** A jose failure as a 401 that says which check failed; a key-fetch failure is transient (503). */
function verificationError(err: unknown, jose: Jose): Error {
  if (err instanceof jose.errors.JWTClaimValidationFailed) {
    return new UnauthorizedError(`the token's "${err.claim}" claim is not accepted here (${err.reason})`, true);
  }
  if (err instanceof jose.errors.JOSEError && err.code !== 'ERR_JWKS_TIMEOUT' && err.code !== 'ERR_JWKS_INVALID') {
    return new UnauthorizedError(REASONS[err.code] ?? 'the token is not valid', true);
  }
  return new TransientError('could not fetch the tenant signing keys to check the token', { cause: err });
}
