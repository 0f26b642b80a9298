import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseInvocation } from '../../shared/api/invoke/invoke-body';
import { RECORD_WAIT_MS } from '../../shared/api/invoke/start-published-run';
import { newRunId } from '../../shared/runs/run-ids';
import { echoPipeline, publish, startTestHost, waitForRun, type TestHost } from './helpers';

describe('HTTP API: Idempotency-Key', () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(() => t.close());

  const invoke = (path: string, json: unknown, key?: string) => t.api('POST', path, { json, headers: key ? { 'idempotency-key': key } : {} });
  const runsOf = async (pipelineId: string) => (await t.api('GET', `runs?pipelineId=${pipelineId}&limit=500`)).body.value as { id: string }[];

  it('20 concurrent identical requests with one key start exactly one run and all get its Id', async () => {
    const p = await publish(t, echoPipeline('race'));
    const body = { ExperimentName: 'race', ParameterAssignments: { n: 4 } };
    const replies = await Promise.all(Array.from({ length: 20 }, () => invoke(`pipelines/${p.id}/runs`, body, 'race-key-1')));
    assert.deepEqual(new Set(replies.map((r) => r.status)), new Set([202]));
    const ids = new Set(replies.map((r) => r.body.Id));
    assert.equal(ids.size, 1, 'one Id for all');
    assert.equal(replies.filter((r) => r.headers.get('idempotent-replayed') === 'true').length, 19);
    assert.deepEqual((await runsOf(p.id)).map((r) => r.id), [...ids]);
    assert.equal((await waitForRun(t, [...ids][0]!)).status, 'Completed');
  });

  it('the same for an endpoint; keys are per endpoint, so the same key elsewhere is a new run', async () => {
    const p = await publish(t, echoPipeline('race-ep'), { endpoint: 'race-ep' });
    const replies = await Promise.all(Array.from({ length: 20 }, () => invoke('endpoints/race-ep/runs', {}, 'shared-key')));
    assert.equal(new Set(replies.map((r) => r.body.Id)).size, 1);
    const direct = await invoke(`pipelines/${p.id}/runs`, {}, 'shared-key');
    assert.equal(direct.status, 202);
    assert.notEqual(direct.body.Id, replies[0]!.body.Id);
    assert.equal((await runsOf(p.id)).length, 2);
  });

  it('a retry returns the first run; a new key starts a new run; no key always starts one', async () => {
    const p = await publish(t, echoPipeline('retry'));
    const first = await invoke(`pipelines/${p.id}/runs`, { ExperimentName: 'r' }, 'retry-1');
    const retry = await invoke(`pipelines/${p.id}/runs`, { ExperimentName: 'r', RunSource: 'other' }, 'retry-1');
    assert.equal(retry.status, 202);
    assert.equal(retry.body.Id, first.body.Id);
    assert.equal(retry.headers.get('idempotent-replayed'), 'true');
    assert.equal(first.headers.get('idempotent-replayed'), null);
    assert.notEqual((await invoke(`pipelines/${p.id}/runs`, { ExperimentName: 'r' }, 'retry-2')).body.Id, first.body.Id);
    await invoke(`pipelines/${p.id}/runs`, { ExperimentName: 'r' });
    await invoke(`pipelines/${p.id}/runs`, { ExperimentName: 'r' });
    assert.equal((await runsOf(p.id)).length, 4);
  });

  it('refuses a key reused for a different request (409 naming the header)', async () => {
    const p = await publish(t, echoPipeline('reuse'));
    await invoke(`pipelines/${p.id}/runs`, { ParameterAssignments: { n: 1 } }, 'reuse-1');
    const other = await invoke(`pipelines/${p.id}/runs`, { ParameterAssignments: { n: 2 } }, 'reuse-1');
    assert.equal(other.status, 409);
    assert.equal(other.body.error.target, 'Idempotency-Key');
    assert.equal((await runsOf(p.id)).length, 1);
  });

  it('a request refused for its parameters does not keep the key', async () => {
    const p = await publish(t, echoPipeline('release'));
    const bad = await invoke(`pipelines/${p.id}/runs`, { ParameterAssignments: { n: 'x' } }, 'release-1');
    assert.equal(bad.status, 400);
    assert.equal((await invoke(`pipelines/${p.id}/runs`, { ParameterAssignments: { n: 'x' } }, 'release-1')).status, 400, 'the same bad request is still a 400');
    assert.equal((await runsOf(p.id)).length, 0);
  });

  it('replays the first run even after the pipeline was disabled; a new key is refused (409)', async () => {
    const p = await publish(t, echoPipeline('replay-disabled'));
    const first = await invoke(`pipelines/${p.id}/runs`, {}, 'before-disable');
    await t.api('POST', `pipelines/${p.id}/disable`);
    const retry = await invoke(`pipelines/${p.id}/runs`, {}, 'before-disable');
    assert.equal(retry.status, 202);
    assert.equal(retry.body.Id, first.body.Id);
    assert.equal((await invoke(`pipelines/${p.id}/runs`, {}, 'after-disable')).status, 409);
  });

  it('checks the header: 1-255 visible ASCII characters', async () => {
    const p = await publish(t, echoPipeline('header'));
    for (const key of ['x'.repeat(256), 'has space']) {
      const reply = await invoke(`pipelines/${p.id}/runs`, {}, key);
      assert.equal(reply.status, 400, JSON.stringify(key));
      assert.equal(reply.body.error.target, 'Idempotency-Key');
    }
  });

  it('crash window: a claim whose run was never recorded is completed by the next request with that key', async () => {
    const p = await publish(t, echoPipeline('orphan-claim'));
    const body = { ExperimentName: 'orphan' };
    const now = new Date();
    const claimedRunId = newRunId('orphan', now);
    await t.host.local.services.publish.claimIdempotency({
      scope: `pipeline:${p.id}`,
      key: 'crashed-before-recording',
      runId: claimedRunId,
      requestHash: parseInvocation(body).fingerprint,
      createdAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + 86_400_000).toISOString(),
    });
    const started = Date.now();
    const reply = await invoke(`pipelines/${p.id}/runs`, body, 'crashed-before-recording');
    assert.equal(reply.status, 202, reply.text);
    assert.equal(reply.body.Id, claimedRunId, 'the claimed run id is used');
    assert.ok(Date.now() - started >= RECORD_WAIT_MS - 50, 'it first waited for the claimant');
    assert.equal((await waitForRun(t, claimedRunId)).status, 'Completed');
    assert.equal((await runsOf(p.id)).length, 1);
  });

  it('an expired claim no longer counts', async () => {
    const p = await publish(t, echoPipeline('expired'));
    const past = new Date(Date.now() - 2 * 86_400_000);
    await t.host.local.services.publish.claimIdempotency({
      scope: `pipeline:${p.id}`,
      key: 'old-key',
      runId: 'old-run-that-is-gone',
      requestHash: parseInvocation({}).fingerprint,
      createdAt: past.toISOString(),
      expiresAt: new Date(past.getTime() + 86_400_000).toISOString(),
    });
    const reply = await invoke(`pipelines/${p.id}/runs`, {}, 'old-key');
    assert.equal(reply.status, 202);
    assert.notEqual(reply.body.Id, 'old-run-that-is-gone');
  });
});
