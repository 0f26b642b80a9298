import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { JWK } from 'jose' with { 'resolution-mode': 'import' };
import { echoPipeline, startTestHost, type TestHost } from './helpers';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
type SigningKey = Awaited<ReturnType<Jose['generateKeyPair']>>['privateKey'];

const TENANT = '11111111-2222-3333-4444-555555555555';
const ISSUER = `https://login.microsoftonline.com/${TENANT}/v2.0`;
const AUDIENCE = 'api://tributary-test';
const ROLE = 'Tributary.Access';

/** Microsoft Entra ID stand-in: a key set served on 127.0.0.1, and tokens signed with its key. */
describe('HTTP API: Microsoft Entra ID bearer tokens (local key set)', () => {
  let jose: Jose;
  let tenantKey: SigningKey;
  let strangerKey: SigningKey;
  let keys: Server;
  let jwksUri: string;
  let t: TestHost;

  before(async () => {
    jose = await import('jose');
    const tenant = await jose.generateKeyPair('RS256', { extractable: true });
    tenantKey = tenant.privateKey;
    strangerKey = (await jose.generateKeyPair('RS256')).privateKey;
    const jwk: JWK = { ...(await jose.exportJWK(tenant.publicKey)), kid: 'tenant-key-1', alg: 'RS256', use: 'sig' };
    keys = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
    jwksUri = `http://127.0.0.1:${(keys.address() as AddressInfo).port}/${TENANT}/discovery/v2.0/keys`;
    t = await startTestHost({ auth: { mode: 'entra', entra: { tenantId: TENANT, audiences: [AUDIENCE], issuers: [ISSUER], jwksUri, requiredRoles: [ROLE] } } });
  });
  after(async () => {
    await t.close();
    await new Promise((resolve) => keys.close(resolve));
  });

  const token = (
    claims: { iss?: string; aud?: string; exp?: number; nbf?: number; roles?: unknown; scp?: string } = {},
    options: { key?: SigningKey; kid?: string } = {},
  ) => {
    const now = Math.floor(Date.now() / 1000);
    const grants = { roles: 'roles' in claims ? claims.roles : [ROLE], scp: claims.scp ?? 'user_impersonation' };
    return new jose.SignJWT({ oid: 'user-object-id', tid: TENANT, azp: 'client-app-id', ...grants })
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? 'tenant-key-1', typ: 'JWT' })
      .setIssuer(claims.iss ?? ISSUER)
      .setAudience(claims.aud ?? AUDIENCE)
      .setSubject('subject')
      .setIssuedAt(now - 60)
      .setNotBefore(claims.nbf ?? now - 60)
      .setExpirationTime(claims.exp ?? now + 3600)
      .sign(options.key ?? tenantKey);
  };
  const call = async (bearer: string) => t.api('GET', 'pipelines', { auth: `Bearer ${bearer}` });

  it('accepts a valid token of the tenant; changes are audited under its subject and app', async () => {
    const reply = await call(await token());
    assert.equal(reply.status, 200, reply.text);
    const published = await t.api('POST', 'pipelines', { json: { name: 'audited', definition: echoPipeline('audited') }, auth: `Bearer ${await token()}` });
    assert.equal(published.status, 201, published.text);
    assert.ok(t.log.lines.some((l) => l.includes('pipeline published') && l.includes('entra:user-object-id via app client-app-id')));
  });

  it('refuses expired, not-yet-valid, wrong-audience, wrong-issuer and badly signed tokens with 401 saying which check failed', async () => {
    const now = Math.floor(Date.now() / 1000);
    const cases: [string, Promise<string>, RegExp][] = [
      ['expired', token({ exp: now - 600 }), /expired/],
      ['not yet valid', token({ nbf: now + 600 }), /"nbf" claim/],
      ['wrong audience', token({ aud: 'api://someone-else' }), /"aud" claim/],
      ['wrong issuer', token({ iss: 'https://login.microsoftonline.com/other-tenant/v2.0' }), /"iss" claim/],
      ['bad signature', token({}, { key: strangerKey }), /signature/],
      ['unknown key id', token({}, { key: strangerKey, kid: 'not-a-tenant-key' }), /not signed by a key of the tenant/],
    ];
    for (const [what, pending, message] of cases) {
      const reply = await call(await pending);
      assert.equal(reply.status, 401, what);
      assert.equal(reply.headers.get('www-authenticate'), 'Bearer realm="tributary", error="invalid_token"', what);
      assert.match(reply.body.error.message, message, what);
    }
  });

  it('lets in a token with the app role or the scope, and refuses a valid token without either with 403 saying how to fix it', async () => {
    assert.equal((await call(await token({ roles: ['Other', ROLE] }))).status, 200, 'app role among others');
    assert.equal((await call(await token({ roles: undefined, scp: `user_impersonation ${ROLE}` }))).status, 200, 'delegated scope');
    for (const [what, claims] of [
      ['no roles claim', { roles: undefined }],
      ['other roles only', { roles: ['Reader', 'Tributary.AccessX'] }],
      ['roles not a list', { roles: ROLE + ' ' }],
      ['a scope that only contains the role name', { roles: undefined, scp: `x${ROLE}` }],
    ] as const) {
      const reply = await call(await token(claims));
      assert.equal(reply.status, 403, what);
      assert.equal(reply.body.error.code, 'Forbidden', what);
      assert.equal(reply.headers.get('www-authenticate'), 'Bearer realm="tributary", error="insufficient_scope"', what);
      assert.match(reply.body.error.message, /none of the app roles or scopes this API requires \(Tributary\.Access\); assign the app role/, what);
    }
    const published = await t.api('POST', 'pipelines', { json: { name: 'not-allowed', definition: echoPipeline('not-allowed') }, auth: `Bearer ${await token({ roles: [] })}` });
    assert.equal(published.status, 403);
    const listed = await t.api('GET', 'pipelines', { auth: `Bearer ${await token()}` });
    assert.ok(!JSON.stringify(listed.body).includes('not-allowed'), 'nothing was published');
  });

  it('with no required roles, any valid token of the tenant for the audience is let in', async () => {
    const open = await startTestHost({ auth: { mode: 'entra', entra: { tenantId: TENANT, audiences: [AUDIENCE], issuers: [ISSUER], jwksUri, requiredRoles: [] } } });
    try {
      assert.equal((await open.api('GET', 'pipelines', { auth: `Bearer ${await token({ roles: undefined })}` })).status, 200);
    } finally {
      await open.close();
    }
  });

  it('refuses tokens that are not RS256 JWTs, and no credentials at all', async () => {
    const hs = await new jose.SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setIssuer(ISSUER).setAudience(AUDIENCE).setExpirationTime('1h').sign(new TextEncoder().encode('x'.repeat(32)));
    const unsigned = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(`{"iss":"${ISSUER}"}`).toString('base64url')}.`;
    for (const bad of [hs, unsigned, 'not-a-jwt']) assert.equal((await call(bad)).status, 401, bad);
    assert.equal((await t.api('GET', 'pipelines', { auth: null })).status, 401);
    assert.equal((await t.api('GET', 'health', { auth: null })).status, 200);
  });

  it('answers 503 (retry later) when the tenant keys cannot be fetched, without leaking why to the caller', async () => {
    const unreachable = await startTestHost({
      auth: { mode: 'entra', entra: { tenantId: TENANT, audiences: [AUDIENCE], issuers: [ISSUER], jwksUri: 'http://127.0.0.1:9/keys', requiredRoles: [ROLE] } },
    });
    try {
      const reply = await unreachable.api('GET', 'pipelines', { auth: `Bearer ${await token()}` });
      assert.equal(reply.status, 503);
      assert.ok(reply.headers.get('retry-after'));
      assert.match(reply.body.error.message, /busy; retry/);
      assert.ok(unreachable.log.lines.some((l) => l.includes('signing keys')), 'the reason is in the server log');
    } finally {
      await unreachable.close();
    }
  });
});
