import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isTerminal } from '../../shared/store/records';
import { echoPipeline, publish, startTestHost, waitForRun, type TestHost } from './helpers';

async function invoke(t: TestHost, pipelineId: string, body: Record<string, unknown> = {}): Promise<string> {
  const reply = await t.api('POST', `pipelines/${pipelineId}/runs`, { json: body });
  assert.equal(reply.status, 202, reply.text);
  return reply.body.Id;
}

describe('HTTP API: runs', () => {
  let t: TestHost;
  before(async () => {
    // One worker driving one run at a time, so a second run stays queued while the first sleeps.
    t = await startTestHost({ dispatcher: { workers: 1, runsPerWorker: 1 } });
  });
  after(() => t.close());

  it('lists runs newest first, filtered by experiment, pipeline, published pipeline and status, paged', async () => {
    const a = await publish(t, echoPipeline('list-a'));
    const b = await publish(t, echoPipeline('list-b'));
    const ids = [await invoke(t, a.id, { ExperimentName: 'exp1' }), await invoke(t, a.id, { ExperimentName: 'exp2' }), await invoke(t, b.id, { ExperimentName: 'exp1' })];
    for (const id of ids) await waitForRun(t, id);
    const all = await t.api('GET', 'runs?limit=500');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.value.slice(0, 3).map((r: any) => r.id), [...ids].reverse());
    assert.equal(all.body.value[0].url, `${t.url}/api/runs/${ids[2]}`);
    assert.deepEqual((await t.api('GET', 'runs?experiment=exp1')).body.value.map((r: any) => r.id), [ids[2], ids[0]]);
    assert.deepEqual((await t.api('GET', 'runs?pipeline=list-a')).body.value.map((r: any) => r.id), [ids[1], ids[0]]);
    assert.deepEqual((await t.api('GET', `runs?pipelineId=${b.id}`)).body.value.map((r: any) => r.id), [ids[2]]);
    assert.ok((await t.api('GET', 'runs?status=Completed')).body.value.length >= 3);
    assert.equal((await t.api('GET', 'runs?status=Failed&pipeline=list-a')).body.value.length, 0);
    const page1 = await t.api('GET', 'runs?experiment=exp1&limit=1');
    assert.equal(page1.body.value.length, 1);
    const page2 = await t.api('GET', `runs?experiment=exp1&limit=1&continuationToken=${encodeURIComponent(page1.body.continuationToken)}`);
    assert.deepEqual(page2.body.value.map((r: any) => r.id), [ids[0]]);
    const badStatus = await t.api('GET', 'runs?status=Done');
    assert.equal(badStatus.status, 400);
    assert.match(badStatus.body.error.message, /status must be one of NotStarted, Queued, Running, CancelRequested, Completed, Failed, Canceled/);
    const badParam = await t.api('GET', 'runs?colour=red');
    assert.equal(badParam.status, 400);
    assert.match(badParam.body.error.message, /unknown query parameter "colour" \(known: experiment, pipeline, pipelineId, status, limit, continuationToken\)/);
  });

  it('gets a run with its steps and links; 404 for an unknown run', async () => {
    const p = await publish(t, echoPipeline('detail'));
    const run = await waitForRun(t, await invoke(t, p.id));
    assert.equal(run.steps.length, 1);
    assert.equal(run.steps[0].name, 'say');
    assert.equal(run.steps[0].status, 'Completed');
    assert.equal(run.steps[0].logs, `${t.url}/api/runs/${run.id}/steps/say/logs`);
    assert.equal(run.metrics, `${t.url}/api/runs/${run.id}/metrics`);
    assert.equal((await t.api('GET', 'runs/no-such-run')).status, 404);
  });

  it('returns the metrics steps logged, optionally for one step', async () => {
    const logging = echoPipeline('metrics', `echo '{"name":"accuracy","value":0.93}' >> "$TRIBUTARY_METRICS_FILE"; echo '{"name":"loss","value":0.1,"step":2}' >> "$TRIBUTARY_METRICS_FILE"`);
    logging.steps['say']!.allowReuse = true;
    const p = await publish(t, logging);
    const run = await waitForRun(t, await invoke(t, p.id));
    assert.equal(run.status, 'Completed');
    const metrics = await t.api('GET', `runs/${run.id}/metrics`);
    assert.equal(metrics.status, 200);
    assert.deepEqual(metrics.body.value.map((m: any) => [m.step, m.name, m.value, m.index]), [['say', 'accuracy', 0.93, undefined], ['say', 'loss', 0.1, 2]]);
    assert.equal((await t.api('GET', `runs/${run.id}/metrics?step=say`)).body.value.length, 2);
    assert.equal((await t.api('GET', `runs/${run.id}/metrics?step=other`)).status, 404);
    assert.equal((await t.api('GET', 'runs/ghost/metrics')).status, 404);
    // Invoked again, the step is reused: its metrics are those of the run it reused, which each names.
    const again = await waitForRun(t, await invoke(t, p.id));
    assert.equal(again.steps[0].reused, true);
    const inherited = await t.api('GET', `runs/${again.id}/metrics`);
    assert.deepEqual(inherited.body.value.map((m: any) => [m.step, m.name, m.value, m.fromRunId]), [['say', 'accuracy', 0.93, run.id], ['say', 'loss', 0.1, run.id]]);
  });

  it('serves step logs: stdout, stderr or both; 404 for unknown runs and steps; 400 for bad options', async () => {
    const p = await publish(t, echoPipeline('streams', 'echo out; echo err >&2'));
    const run = await waitForRun(t, await invoke(t, p.id));
    const both = await t.api('GET', `runs/${run.id}/steps/say/logs`);
    assert.equal(both.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(both.text, 'out\nerr\n');
    assert.equal((await t.api('GET', `runs/${run.id}/steps/say/logs?stream=stdout`)).text, 'out\n');
    assert.equal((await t.api('GET', `runs/${run.id}/steps/say/logs?stream=stderr&attempt=1`)).text, 'err\n');
    assert.equal((await t.api('GET', `runs/${run.id}/steps/say/logs?attempt=2`)).text, '');
    const unknownStep = await t.api('GET', `runs/${run.id}/steps/other/logs`);
    assert.equal(unknownStep.status, 404);
    assert.match(unknownStep.body.error.message, /has no step "other" \(steps: say\)/);
    assert.equal((await t.api('GET', 'runs/ghost/steps/say/logs')).status, 404);
    assert.equal((await t.api('GET', `runs/${run.id}/steps/say/logs?stream=both`)).status, 400);
    assert.equal((await t.api('GET', `runs/${run.id}/steps/say/logs?attempt=0`)).status, 400);
    assert.equal((await t.api('GET', `runs/${run.id}/steps/say/logs?follow=yes`)).status, 400);
  });

  it('follows a step log as a chunked stream that ends when the step ends', async () => {
    const p = await publish(t, echoPipeline('follow', 'for i in 1 2 3 4; do echo line$i; sleep 0.4; done'));
    const id = await invoke(t, p.id);
    const response = await fetch(`${t.url}/api/runs/${id}/steps/say/logs?follow=true&stream=stdout`, { headers: { authorization: `Bearer ${t.key}` } });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('transfer-encoding'), 'chunked');
    const arrivals: { text: string; runEnded: boolean }[] = [];
    const decoder = new TextDecoder();
    for await (const chunk of response.body!) {
      const run = await t.api('GET', `runs/${id}`);
      arrivals.push({ text: decoder.decode(chunk, { stream: true }), runEnded: isTerminal(run.body.status) });
    }
    assert.equal(arrivals.map((a) => a.text).join(''), 'line1\nline2\nline3\nline4\n');
    assert.ok(arrivals.length >= 2, 'the log arrived in several pieces');
    assert.equal(arrivals[0]!.runEnded, false, 'the first lines arrived while the step was still running');
    assert.equal((await waitForRun(t, id)).status, 'Completed');
  });

  it('cancels a running run (202, then Canceled) and a queued one (removed from the queue); a finished run stays as it is', async () => {
    const p = await publish(t, echoPipeline('sleepy', 'sleep 30'));
    const running = await invoke(t, p.id);
    await waitForRun(t, running, (s) => s === 'Running');
    const queued = await invoke(t, p.id);
    const cancelQueued = await t.api('POST', `runs/${queued}/cancel`);
    assert.equal(cancelQueued.status, 200, cancelQueued.text);
    assert.equal(cancelQueued.body.status, 'Canceled');
    const cancelRunning = await t.api('POST', `runs/${running}/cancel`);
    assert.equal(cancelRunning.status, 202);
    assert.equal(cancelRunning.body.status, 'CancelRequested');
    assert.equal((await waitForRun(t, running)).status, 'Canceled');
    const again = await t.api('POST', `runs/${running}/cancel`);
    assert.equal(again.status, 200);
    assert.equal(again.body.status, 'Canceled');
    assert.equal((await t.api('POST', 'runs/ghost/cancel')).status, 404);
  });
});
