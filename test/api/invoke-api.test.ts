import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { echoPipeline, publish, startTestHost, waitForRun, type TestHost } from './helpers';

describe('HTTP API: invoking published pipelines and endpoints', () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(() => t.close());

  it('runs a published pipeline for real: 202 with Id, status URL and Location; the step ran with the assignments', async () => {
    const p = await publish(t, echoPipeline('real'));
    const reply = await t.api('POST', `pipelines/${p.id}/runs`, {
      json: { ExperimentName: 'nightly', ParameterAssignments: { msg: 'hi', n: '3', x: 2.5, flag: true }, RunSource: 'SDK' },
    });
    assert.equal(reply.status, 202, reply.text);
    const id = reply.body.Id;
    assert.match(id, /^nightly_\d{8}T\d{6}_[0-9a-f]{6}$/);
    assert.equal(reply.body.StatusUrl, `${t.url}/api/runs/${id}`);
    assert.equal(reply.headers.get('location'), reply.body.StatusUrl);
    assert.equal(reply.body.ExperimentName, 'nightly');
    assert.equal(reply.body.PublishedPipelineId, p.id);
    assert.equal(reply.body.Warnings, undefined);
    const run = await waitForRun(t, id);
    assert.equal(run.status, 'Completed', JSON.stringify(run));
    assert.equal(run.publishedPipelineId, p.id);
    assert.deepEqual(run.parameters, { msg: 'hi', n: 3, x: 2.5, flag: true });
    const logs = await t.api('GET', `runs/${id}/steps/say/logs`);
    assert.equal(logs.status, 200);
    assert.equal(logs.text, 'msg=hi n=3 x=2.5 flag=True\n', 'booleans render as Azure ML renders them');
  });

  it('uses the frozen defaults when nothing is assigned, and the pipeline name as experiment', async () => {
    const p = await publish(t, echoPipeline('defaults'));
    const reply = await t.api('POST', `pipelines/${p.id}/runs`, { json: {} });
    assert.equal(reply.status, 202);
    assert.equal(reply.body.ExperimentName, 'defaults');
    const run = await waitForRun(t, reply.body.Id);
    assert.deepEqual(run.parameters, { msg: 'hello', n: 1, x: 0.5, flag: false });
  });

  it('refuses unknown parameters and wrong types with 400 naming each and listing the valid ones; starts nothing', async () => {
    const p = await publish(t, echoPipeline('typed'));
    const cases: [Record<string, unknown>, RegExp[]][] = [
      [{ nope: 1 }, [/inputs\.nope: unknown pipeline input \(known: msg, n, x, flag\)/]],
      [{ n: 'three' }, [/inputs\.n: wrong parameter type: expected integer, got "three"/]],
      [{ n: 1.5 }, [/inputs\.n: wrong parameter type: expected integer/]],
      [{ flag: 'maybe', x: 'abc' }, [/inputs\.x: .*expected number/, /inputs\.flag: .*expected boolean/]],
    ];
    for (const [assignments, messages] of cases) {
      const reply = await t.api('POST', `pipelines/${p.id}/runs`, { json: { ParameterAssignments: assignments } });
      assert.equal(reply.status, 400, reply.text);
      assert.equal(reply.body.error.code, 'ValidationError');
      assert.equal(reply.body.error.target, 'ParameterAssignments');
      for (const m of messages) assert.match(reply.body.error.message, m);
    }
    assert.equal((await t.api('GET', `runs?pipelineId=${p.id}`)).body.value.length, 0);
  });

  it('a disabled pipeline answers 409 and starts no run; enabled again, it runs', async () => {
    const p = await publish(t, echoPipeline('switch'));
    await t.api('POST', `pipelines/${p.id}/disable`);
    const refused = await t.api('POST', `pipelines/${p.id}/runs`, { json: { ExperimentName: 'x' } });
    assert.equal(refused.status, 409);
    assert.equal(refused.body.error.code, 'Conflict');
    assert.match(refused.body.error.message, /is disabled, so no run was started/);
    assert.equal((await t.api('GET', `runs?pipelineId=${p.id}`)).body.value.length, 0);
    await t.api('POST', `pipelines/${p.id}/enable`);
    const accepted = await t.api('POST', `pipelines/${p.id}/runs`, { json: { ExperimentName: 'x' } });
    assert.equal(accepted.status, 202);
  });

  it('an endpoint runs its default version, or the PipelineVersion asked for; unknown versions are 400', async () => {
    const v1 = await publish(t, echoPipeline('multi', 'echo v1 ${{inputs.msg}}'), { endpoint: 'multi' });
    const v2 = await publish(t, echoPipeline('multi', 'echo v2 ${{inputs.msg}}'), { endpoint: 'multi' });
    const byDefault = await t.api('POST', 'endpoints/multi/runs', { json: { ExperimentName: 'ep' } });
    assert.equal(byDefault.status, 202, byDefault.text);
    assert.equal(byDefault.body.PublishedPipelineId, v1.id);
    await t.api('PUT', 'endpoints/multi/default', { json: { version: '2' } });
    const afterSwitch = await t.api('POST', 'endpoints/multi/runs', { json: { ExperimentName: 'ep' } });
    assert.equal(afterSwitch.body.PublishedPipelineId, v2.id);
    const pinned = await t.api('POST', 'endpoints/multi/runs', { json: { ExperimentName: 'ep', PipelineVersion: '1' } });
    assert.equal(pinned.body.PublishedPipelineId, v1.id);
    const run = await waitForRun(t, pinned.body.Id);
    assert.equal((await t.api('GET', `runs/${run.id}/steps/say/logs`)).text, 'v1 hello\n');
    const missing = await t.api('POST', 'endpoints/multi/runs', { json: { PipelineVersion: '3' } });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /no version "3" \(versions: 1, 2\)/);
    assert.equal((await t.api('POST', 'endpoints/multi/runs', { json: { PipelineVersion: '' } })).status, 400);
    const wrongUrl = await t.api('POST', `pipelines/${v1.id}/runs`, { json: { PipelineVersion: '2' } });
    assert.equal(wrongUrl.status, 400);
    assert.equal((await t.api('POST', 'endpoints/ghost/runs', { json: {} })).status, 404);
    assert.equal((await t.api('POST', 'pipelines/ghost/runs', { json: {} })).status, 404);
  });

  it('an endpoint answers with its own version label as PipelineVersion, which can be sent back; an unknown one is a 400 naming PipelineVersion', async () => {
    const v1 = await publish(t, echoPipeline('labels', 'echo v1'));
    const v2 = await publish(t, echoPipeline('labels', 'echo v2'));
    assert.equal((await t.api('POST', 'endpoints', { json: { name: 'ep2', pipelineId: v1.id, version: 'v1' } })).status, 201);
    assert.equal((await t.api('POST', 'endpoints/ep2/versions', { json: { pipelineId: v2.id, version: 'v2' } })).status, 200);
    const byDefault = await t.api('POST', 'endpoints/ep2/runs', { json: {} });
    assert.equal(byDefault.body.PipelineVersion, 'v1', byDefault.text);
    const asked = await t.api('POST', 'endpoints/ep2/runs', { json: { PipelineVersion: 'v2' } });
    assert.equal(asked.status, 202, asked.text);
    assert.deepEqual([asked.body.PipelineVersion, asked.body.PublishedPipelineId], ['v2', v2.id]);
    const sentBack = await t.api('POST', 'endpoints/ep2/runs', { json: { PipelineVersion: asked.body.PipelineVersion } });
    assert.equal(sentBack.status, 202, sentBack.text);
    assert.equal(sentBack.body.PublishedPipelineId, v2.id);
    const pipelineVersion = await t.api('POST', 'endpoints/ep2/runs', { json: { PipelineVersion: '2' } });
    assert.equal(pipelineVersion.status, 400);
    assert.equal(pipelineVersion.body.error.target, 'PipelineVersion');
    assert.match(pipelineVersion.body.error.message, /no version "2" \(versions: v1, v2\)/);
    assert.equal((await t.api('POST', 'endpoints/ep2/runs', { json: { PipelineVersion: '' } })).body.error.target, 'PipelineVersion');
    assert.equal((await t.api('POST', `pipelines/${v2.id}/runs`, { json: {} })).body.PipelineVersion, '2', 'a pipeline URL answers the pipeline\'s version');
  });

  it('reports unknown body fields as warnings; EnforceRerun and ContinueOnStepFailure are honoured', async () => {
    const p = await publish(t, echoPipeline('opts'));
    const reply = await t.api('POST', `pipelines/${p.id}/runs`, { json: { ParameterAsignments: { n: 2 }, EnforceRerun: true, ContinueOnStepFailure: true } });
    assert.equal(reply.status, 202);
    assert.deepEqual(reply.body.Warnings, ['unknown field "ParameterAsignments" was ignored']);
    const run = await waitForRun(t, reply.body.Id);
    assert.equal(run.parameters.n, 1);
  });
});
