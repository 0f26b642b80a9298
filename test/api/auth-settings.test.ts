import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authSettingsFromEnv } from '../../shared/api/auth/auth-settings';
import { ValidationError } from '../../shared/errors';

const TENANT = '11111111-2222-3333-4444-555555555555';
const BASE = { TRIBUTARY_AUTH: 'entra', TRIBUTARY_ENTRA_TENANT_ID: TENANT, TRIBUTARY_ENTRA_AUDIENCE: 'api://tributary' };

function rolesOf(env: NodeJS.ProcessEnv): string[] {
  const settings = authSettingsFromEnv({ ...BASE, ...env });
  assert.equal(settings.mode, 'entra');
  return settings.mode === 'entra' ? settings.entra.requiredRoles : [];
}

describe('auth settings: the roles an Entra ID token must carry (TRIBUTARY_ENTRA_ROLES)', () => {
  it('requires the Tributary.Access app role unless told otherwise', () => {
    assert.deepEqual(rolesOf({}), ['Tributary.Access']);
  });

  it('takes a comma-separated list, and * for any token of the tenant', () => {
    const cases: [string, string[]][] = [
      ['Pipelines.Invoke', ['Pipelines.Invoke']],
      [' Pipelines.Invoke , user_impersonation ', ['Pipelines.Invoke', 'user_impersonation']],
      ['*', []],
      [' * ', []],
    ];
    for (const [value, expected] of cases) assert.deepEqual(rolesOf({ TRIBUTARY_ENTRA_ROLES: value }), expected, value);
  });

  it('refuses an empty list, spaces inside a value and * among values, naming the setting', () => {
    for (const value of ['', ' , ', 'Pipelines Invoke', 'A,*', 'tab\there']) {
      assert.throws(
        () => authSettingsFromEnv({ ...BASE, TRIBUTARY_ENTRA_ROLES: value }),
        (err: unknown) => err instanceof ValidationError && err.target === 'TRIBUTARY_ENTRA_ROLES' && /must list app role or scope values/.test(err.message),
        JSON.stringify(value),
      );
    }
  });
});
