import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepInstanceId } from '../../functions/durable/names';
import { EVENTS_PER_GENERATION, MAX_RUNNING_STEPS } from '../../shared/orchestration/run-orchestration';
import { POLLS_PER_GENERATION } from '../../shared/orchestration/step-orchestration';
import { FakeInstantCompute } from './harness/fake-compute';
import { createTestApp, type TestAppOptions } from './harness/local-app';
import { fanOut, pipeline, step } from './harness/pipelines';

async function runFanOut(size: number, options: TestAppOptions) {
  const app = await createTestApp({ computes: { fake: new FakeInstantCompute('fake', (job) => job.length % 3) }, ...options });
  const runId = await app.submit(fanOut(size, 'fake'));
  await app.harness.runUntilIdle();
  return { app, runId };
}

describe('bounded histories: generations (continue-as-new)', () => {
  for (const delivery of ['batch', 'one'] as const) {
    it(`a ${delivery === 'batch' ? 'batched' : 'one-message-per-episode'} fan-out of 250 steps completes across generations, recovering every dropped event`, async () => {
      const { app, runId } = await runFanOut(250, { delivery, order: 'activitiesFirst', dropQueuedEventsOnContinueAsNew: true });
      try {
        assert.equal((await app.store.getRun(runId))?.status, 'Completed');
        const steps = await app.store.listStepRuns(runId);
        assert.equal(steps.length, 252);
        assert.ok(steps.every((s) => s.status === 'Completed'));
        const { stats } = app.harness;
        assert.ok(stats.generations >= 3, `${stats.generations} generations`);
        assert.ok(stats.eventsDroppedOnContinueAsNew > 0, 'some events were dropped at a continue-as-new and recovered');
        assert.ok([...app.harness.submissions.values()].every((n) => n === 1));
        assert.equal(app.harness.submissions.size, 252);
        assert.ok(stats.longestHistory < 6 * EVENTS_PER_GENERATION + 2 * MAX_RUNNING_STEPS, `longest history ${stats.longestHistory}`);
      } finally {
        await app.close();
      }
    });
  }

  it('a long watch continues as new every POLLS_PER_GENERATION polls without submitting again', async () => {
    const polls = 2 * POLLS_PER_GENERATION + 5;
    const app = await createTestApp({ computes: { fake: new FakeInstantCompute('fake', () => polls) } });
    try {
      const runId = await app.submit(pipeline('slow', [step('slow', 'true', {}, { compute: 'fake' })]));
      await app.harness.runUntilIdle();
      assert.equal((await app.store.getRun(runId))?.status, 'Completed');
      const instance = app.harness.instance(stepInstanceId(runId, 'slow'))!;
      assert.equal(instance.executions.length, 3);
      assert.deepEqual(Object.fromEntries(app.harness.submissions), { [`${runId}/slow#1`]: 1 });
      assert.ok(Math.max(...instance.executions.map((h) => h.length)) < 9 * POLLS_PER_GENERATION);
    } finally {
      await app.close();
    }
  });
});

describe('cancel on the Durable path', () => {
  it('stops the run and cancels the compute work of running steps', async () => {
    const compute = new FakeInstantCompute('fake', () => Number.POSITIVE_INFINITY);
    const app = await createTestApp({ computes: { fake: compute } });
    try {
      const runId = await app.submit(pipeline('cancel-me', [step('long', 'true', {}, { compute: 'fake' }), step('after', 'true', { data: 'long' }, { compute: 'fake' })]));
      assert.ok(await app.harness.runUntil(() => compute.submitted.length === 1), 'the first step was submitted');
      await app.launcher.cancel(runId, 'canceled by test');
      await app.harness.runUntilIdle();
      const run = await app.store.getRun(runId);
      assert.equal(run?.status, 'Canceled');
      assert.equal(run?.statusReason, 'canceled by test');
      assert.equal((await app.store.getStepRun(runId, 'long'))?.status, 'Canceled');
      assert.deepEqual(compute.submitted, [`${runId}.long.1`], 'nothing after the cancel started');
      assert.equal(app.harness.instance(stepInstanceId(runId, 'long'))?.status, 'Completed');
    } finally {
      await app.close();
    }
  });

  it('a cancel dropped at a continue-as-new (sent while generation 0 reads the plan) is found in the run record', async () => {
    const compute = new FakeInstantCompute('fake');
    const app = await createTestApp({ computes: { fake: compute } });
    try {
      const runId = await app.submit(pipeline('early-cancel', [step('only', 'true', {}, { compute: 'fake' })]), 'early-cancel-1');
      await app.launcher.cancel(runId, 'changed my mind');
      await app.harness.runUntilIdle();
      const run = await app.store.getRun(runId);
      assert.equal(run?.status, 'Canceled');
      assert.equal(run?.statusReason, 'changed my mind');
      assert.deepEqual(compute.submitted, []);
      assert.equal(app.harness.stats.eventsDroppedOnContinueAsNew, 1, 'the cancel event itself was dropped');
    } finally {
      await app.close();
    }
  });
});
