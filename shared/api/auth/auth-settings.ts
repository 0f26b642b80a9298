/**
 * Which authenticator a deployment uses, from settings (environment / app settings):
 * TRIBUTARY_AUTH=apiKey (default; local) or entra, with TRIBUTARY_ENTRA_TENANT_ID,
 * TRIBUTARY_ENTRA_AUDIENCE (comma-separated), and optionally TRIBUTARY_ENTRA_ISSUER and
 * TRIBUTARY_ENTRA_JWKS_URI (comma-separated issuers; keys URL) to override the tenant defaults,
 * and TRIBUTARY_ENTRA_ROLES: the app roles or scopes a token must carry one of (comma-separated;
 * default Tributary.Access; `*` lets in any token of the tenant for the audience).
 */
import { ValidationError } from '../../errors';
import { DEFAULT_REQUIRED_ROLE, entraDefaults, type EntraSettings } from './entra';

export type AuthSettings = { mode: 'apiKey' } | { mode: 'entra'; entra: EntraSettings };

const list = (value: string | undefined): string[] => (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);

export function authSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): AuthSettings {
  const mode = env['TRIBUTARY_AUTH'] ?? 'apiKey';
  if (mode === 'apiKey') return { mode };
  if (mode !== 'entra') throw new ValidationError(`TRIBUTARY_AUTH=${mode}: expected apiKey or entra`, 'TRIBUTARY_AUTH');
  const tenantId = env['TRIBUTARY_ENTRA_TENANT_ID'] ?? '';
  if (!/^[A-Za-z0-9.-]{1,100}$/.test(tenantId)) {
    throw new ValidationError('TRIBUTARY_ENTRA_TENANT_ID must be set to the tenant id (a GUID) when TRIBUTARY_AUTH=entra', 'TRIBUTARY_ENTRA_TENANT_ID');
  }
  const audiences = list(env['TRIBUTARY_ENTRA_AUDIENCE']);
  if (audiences.length === 0) {
    throw new ValidationError('TRIBUTARY_ENTRA_AUDIENCE must list the accepted audiences (e.g. api://<app id>) when TRIBUTARY_AUTH=entra', 'TRIBUTARY_ENTRA_AUDIENCE');
  }
  const defaults = entraDefaults(tenantId);
  const issuers = list(env['TRIBUTARY_ENTRA_ISSUER']);
  const jwksUri = env['TRIBUTARY_ENTRA_JWKS_URI'] ?? defaults.jwksUri;
  if (!URL.canParse(jwksUri)) throw new ValidationError(`TRIBUTARY_ENTRA_JWKS_URI is not a URL`, 'TRIBUTARY_ENTRA_JWKS_URI');
  return { mode: 'entra', entra: { tenantId, audiences, issuers: issuers.length ? issuers : defaults.issuers, jwksUri, requiredRoles: requiredRoles(env) } };
}

function requiredRoles(env: NodeJS.ProcessEnv): string[] {
  const value = env['TRIBUTARY_ENTRA_ROLES'];
  if (value === undefined) return [DEFAULT_REQUIRED_ROLE];
  if (value.trim() === '*') return [];
  const roles = list(value);
  const bad = roles.find((role) => !/^[\x21-\x7e]{1,120}$/.test(role) || role === '*');
  if (roles.length === 0 || bad !== undefined) {
    throw new ValidationError(
      `TRIBUTARY_ENTRA_ROLES must list app role or scope values (comma-separated, no spaces), or be * to accept any token of the tenant${bad ? `; got ${JSON.stringify(bad)}` : ''}`,
      'TRIBUTARY_ENTRA_ROLES',
    );
  }
  return roles;
}
