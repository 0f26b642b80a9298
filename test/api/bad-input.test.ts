import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { handleApiRequest } from '../../shared/api/handle';
import type { ApiRoute } from '../../shared/api/routes';
import type { ApiServices } from '../../shared/api/services';
import type { ApiRequest } from '../../shared/api/types';
import { TransientError } from '../../shared/errors';
import { CapturedLog, echoPipeline, publish, startTestHost, type TestHost } from './helpers';

const LIMIT = 4096;

/** Sends `total` bytes of body in 16 KiB chunks (chunked, no Content-Length) and reports how much was written before the answer came. */
function sendChunked(t: TestHost, path: string, total: number): Promise<{ status: number; body: string; sentBeforeAnswer: number }> {
  return new Promise((resolve, reject) => {
    let sent = 0;
    let answered = -1;
    const req = request(`${t.url}/api/${path}`, { method: 'POST', headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' } }, (res) => {
      answered = sent;
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, sentBeforeAnswer: answered }));
    });
    req.on('error', (err) => (answered >= 0 ? undefined : reject(err)));
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    const pump = () => {
      while (sent < total && answered < 0) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', () => setTimeout(pump, 5));
      }
      if (answered < 0) req.end();
    };
    pump();
  });
}

describe('HTTP API: bad input gets a clear 4xx, never a 5xx or a stack trace', () => {
  let t: TestHost;
  let pipelineId: string;
  before(async () => {
    t = await startTestHost({ limits: { maxBodyBytes: LIMIT, maxPublishBodyBytes: 64 * 1024 } });
    pipelineId = (await publish(t, echoPipeline('bad'))).id;
  });
  after(() => t.close());

  const noInternals = (text: string) => {
    assert.ok(!/\n\s+at |\.js:\d+|\/work\/|node:internal/.test(text), `no stack trace or path in ${text}`);
  };

  it('malformed JSON, invalid UTF-8, an empty body and a non-object body are 400s naming the body', async () => {
    const cases: [string | Buffer, RegExp][] = [
      ['{"ExperimentName": ', /not valid JSON/],
      [Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), /not valid UTF-8/],
      ['', /empty/],
      ['[1,2]', /JSON object/],
      ['"text"', /JSON object/],
    ];
    for (const [body, message] of cases) {
      const response = await fetch(`${t.url}/api/pipelines/${pipelineId}/runs`, { method: 'POST', headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' }, body });
      const text = await response.text();
      assert.equal(response.status, 400, text);
      assert.match(JSON.parse(text).error.message, message);
      noInternals(text);
    }
  });

  it('a body that is not JSON is 415 saying what to send', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const reply = await t.api('POST', `pipelines/${pipelineId}/runs`, { body: 'ExperimentName=x', headers: type ? { 'content-type': type } : {} });
      assert.equal(reply.status, 415, String(type));
      assert.match(reply.body.error.message, /Content-Type: application\/json/);
    }
    assert.equal((await t.api('POST', `pipelines/${pipelineId}/runs`, { body: '{}', headers: { 'content-type': 'application/json; charset=utf-8' } })).status, 202);
  });

  it('a body over the limit is 413 at once when Content-Length says so', async () => {
    const reply = await t.api('POST', `pipelines/${pipelineId}/runs`, { body: `{"x":"${'a'.repeat(LIMIT)}"}`, headers: { 'content-type': 'application/json' } });
    assert.equal(reply.status, 413);
    assert.match(reply.body.error.message, new RegExp(`limit of ${LIMIT} bytes`));
  });

  it('a streamed body over the limit is 413 and reading stops early (the rest is never read)', async () => {
    const total = 32 * 1024 * 1024;
    const result = await sendChunked(t, `pipelines/${pipelineId}/runs`, total);
    assert.equal(result.status, 413);
    assert.ok(result.sentBeforeAnswer < total / 4, `answered after ${result.sentBeforeAnswer} of ${total} bytes`);
  });

  it('publishing has its own, larger limit', async () => {
    const definition = { ...echoPipeline('big'), description: 'd'.repeat(LIMIT * 2) };
    assert.equal((await t.api('POST', 'pipelines', { json: { name: 'big', definition } })).status, 201);
    const tooBig = { ...echoPipeline('big'), description: 'd'.repeat(70 * 1024) };
    assert.equal((await t.api('POST', 'pipelines', { json: { name: 'big', definition: tooBig } })).status, 413);
  });

  it('unknown routes and ids are 404s in the error shape; outside /api too', async () => {
    for (const [method, path] of [['GET', 'nope'], ['GET', 'runs/ghost'], ['GET', 'pipelines/ghost'], ['GET', 'endpoints/ghost'], ['PATCH', 'pipelines']] as const) {
      const reply = await t.api(method, path);
      assert.equal(reply.status, 404, `${method} ${path}`);
      assert.deepEqual(Object.keys(reply.body.error).sort(), ['code', 'message', 'target']);
    }
    const outside = await fetch(`${t.url}/admin/host/status`);
    assert.equal(outside.status, 404);
    assert.equal(((await outside.json()) as any).error.code, 'NotFound');
  });

  it('unexpected failures are a 500 with a generic message and a correlation id; details only in the server log', async () => {
    const log = new CapturedLog();
    const services = { auth: { authenticate: async () => ({ kind: 'apiKey' }) }, log } as unknown as ApiServices;
    const failing: ApiRoute = { name: 'boom', methods: ['GET'], route: 'boom', handler: async () => { throw new Error('db password=hunter2 at /var/lib/x'); } };
    const req: ApiRequest = { method: 'GET', url: new URL('http://127.0.0.1/api/boom'), params: {}, header: () => undefined, body: null };
    const reply = await handleApiRequest(failing, req, services);
    assert.equal(reply.status, 500);
    const error = (reply.json as any).error;
    assert.equal(error.code, 'Internal');
    assert.match(error.message, /internal error; quote correlation id [0-9a-f-]{36}/);
    assert.ok(!JSON.stringify(reply.json).includes('hunter2'));
    assert.ok(log.lines.some((l) => l.includes(error.correlationId) && l.includes('hunter2')), 'the server log has the details under the same id');
    const busy: ApiRoute = { ...failing, handler: async () => { throw new TransientError('store locked at /secret/path', { retryAfterMs: 2500 }); } };
    const transient = await handleApiRequest(busy, req, services);
    assert.equal(transient.status, 503);
    assert.equal(transient.headers?.['retry-after'], '3');
    assert.ok(!JSON.stringify(transient.json).includes('/secret/path'));
  });
});
