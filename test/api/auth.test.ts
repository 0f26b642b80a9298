import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ApiKeyAuthenticator, loadOrCreateApiKey } from '../../shared/api/auth/api-key';
import { API_ROUTES, type ApiRoute } from '../../shared/api/routes';
import { ValidationError } from '../../shared/errors';
import { resolveWorkspace } from '../../shared/workspace/workspace';
import { echoPipeline, startTestHost, type TestHost } from './helpers';

/** A concrete path for each route template: every parameter becomes `x`. */
function samplePath(route: string): string {
  return route.replace(/\{\*?[A-Za-z_]+\}/g, 'x');
}

describe('HTTP API: API-key authentication', () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(() => t.close());

  it('every route but health answers 401 with a Bearer challenge without credentials, and with a wrong key', async () => {
    const routes: ApiRoute[] = Object.values(API_ROUTES);
    for (const route of routes) {
      for (const method of route.methods) {
        const path = samplePath(route.route);
        const body = method === 'GET' ? {} : { json: { name: 'p', definition: echoPipeline() } };
        const anonymous = await t.api(method, path, { ...body, auth: null });
        const wrong = await t.api(method, path, { ...body, auth: 'Bearer not-the-key-0123456789' });
        if (route.public) {
          assert.equal(anonymous.status, 200, `${method} ${path}`);
          continue;
        }
        assert.equal(anonymous.status, 401, `${method} /api/${path} without credentials`);
        assert.equal(anonymous.headers.get('www-authenticate'), 'Bearer realm="tributary"');
        assert.equal(anonymous.body.error.code, 'Unauthorized');
        assert.equal(wrong.status, 401, `${method} /api/${path} with a wrong key`);
        assert.equal(wrong.headers.get('www-authenticate'), 'Bearer realm="tributary", error="invalid_token"');
      }
    }
  });

  it('refuses malformed Authorization headers; the right key is accepted in any Bearer casing', async () => {
    for (const auth of ['Basic dXNlcjpwYXNz', 'Bearer', `Bearer ${t.key} extra`, t.key, '']) {
      assert.equal((await t.api('GET', 'runs', { auth })).status, 401, JSON.stringify(auth));
    }
    assert.equal((await t.api('GET', 'runs', { auth: `bearer ${t.key}` })).status, 200);
  });

  it('an unauthenticated request is refused before its body is read (no 413/415 hints to strangers)', async () => {
    const reply = await t.api('POST', 'pipelines', { body: 'x'.repeat(2_000_000), headers: { 'content-type': 'text/plain' }, auth: null });
    assert.equal(reply.status, 401);
  });

  it('never echoes or logs a credential', async () => {
    const wrong = 'Bearer wrong-secret-token-0123456789';
    const replies = [await t.api('GET', 'runs', { auth: wrong }), await t.api('GET', 'runs/ghost'), await t.api('POST', 'pipelines', { body: '{bad' })];
    for (const reply of replies) {
      assert.ok(!reply.text.includes(t.key), 'the key is not in a response');
      assert.ok(!reply.text.includes('wrong-secret-token'), 'a presented token is not in a response');
    }
    const log = t.log.lines.join('\n');
    assert.ok(!log.includes(t.key) && !log.includes('wrong-secret-token'));
  });

  it('the generated key file is owner-only (0600) and reused at the next start', async () => {
    assert.equal(statSync(t.workspace.apiKeyFile).mode & 0o777, 0o600);
    assert.equal(t.host.local.apiKey?.source, 'generated');
    const again = loadOrCreateApiKey(t.workspace, {});
    assert.deepEqual(again, { key: t.key, source: 'file' });
    assert.ok(t.key.length >= 40, 'at least 256 bits of randomness, base64url');
  });
});

describe('API key sources', () => {
  it('TRIBUTARY_API_KEY wins over the file; short keys are refused; a too-open file is narrowed to 0600', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-key-'));
    try {
      const ws = resolveWorkspace(join(dir, 'ws'));
      assert.deepEqual(loadOrCreateApiKey(ws, { TRIBUTARY_API_KEY: 'from-the-environment-123' }), { key: 'from-the-environment-123', source: 'environment' });
      assert.throws(() => loadOrCreateApiKey(ws, { TRIBUTARY_API_KEY: 'short' }), ValidationError);
      const generated = loadOrCreateApiKey(ws, {});
      assert.equal(generated.source, 'generated');
      await writeFile(ws.apiKeyFile, 'a-key-written-by-hand-0123\n', { mode: 0o644 });
      assert.deepEqual(loadOrCreateApiKey(ws, {}), { key: 'a-key-written-by-hand-0123', source: 'file' });
      assert.equal(statSync(ws.apiKeyFile).mode & 0o777, 0o600);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('compares in constant time over digests: keys of any length are simply wrong', async () => {
    const auth = new ApiKeyAuthenticator('the-right-key-0123456789');
    assert.deepEqual(await auth.authenticate('Bearer the-right-key-0123456789'), { kind: 'apiKey' });
    for (const token of ['the-right-key-012345678', 'the-right-key-01234567890', 'x']) {
      await assert.rejects(auth.authenticate(`Bearer ${token}`), /invalid API key/);
    }
  });
});
