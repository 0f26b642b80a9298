import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stepInstanceId } from '../../functions/durable/names';
import { TransientError, ValidationError } from '../../shared/errors';
import type { Activities } from '../../shared/orchestration/activity-types';
import { FakeInstantCompute } from './harness/fake-compute';
import { EventType } from './harness/history';
import { createTestApp, type TestApp } from './harness/local-app';
import { pipeline, step } from './harness/pipelines';

/** pollStep of `target` fails as `fail(call)` says (undefined: poll normally). */
function failingPoll(target: string, fail: (call: number) => Error | undefined, calls: { count: number }) {
  return (activities: Activities): Activities => ({
    ...activities,
    async pollStep(input) {
      if (input.step !== target) return activities.pollStep(input);
      const error = fail(++calls.count);
      if (error) throw error;
      return activities.pollStep(input);
    },
  });
}

async function runTwoSteps(wrapActivities: (a: Activities) => Activities, target: string): Promise<{ app: TestApp; runId: string }> {
  const app = await createTestApp({ computes: { fake: new FakeInstantCompute('fake', () => 0) }, wrapActivities });
  const runId = await app.submit(
    pipeline('faulty', [step('source', 'true', {}, { compute: 'fake' }), step(target, 'true', { data: 'source' }, { compute: 'fake' })]),
  );
  await app.harness.runUntilIdle();
  return { app, runId };
}

describe('activity faults on the Durable path', () => {
  it('a terminal activity error fails its step with the message, kept in the history, and fails the run', async () => {
    const calls = { count: 0 };
    const { app, runId } = await runTwoSteps(failingPoll('doomed', () => new ValidationError('compute "fake" has no job fake-1'), calls), 'doomed');
    try {
      const stepRun = await app.store.getStepRun(runId, 'doomed');
      assert.equal(stepRun?.status, 'Failed');
      assert.equal(stepRun?.statusReason, 'compute "fake" has no job fake-1');
      const run = await app.store.getRun(runId);
      assert.equal(run?.status, 'Failed');
      assert.match(run?.statusReason ?? '', /step "doomed" failed: compute "fake" has no job fake-1/);
      const history = app.harness.instance(stepInstanceId(runId, 'doomed'))!.history;
      assert.ok(history.some((e) => e.EventType === EventType.TaskFailed && e.Reason === 'compute "fake" has no job fake-1'));
      assert.equal(calls.count, 1, 'terminal errors are not retried');
      assert.deepEqual(app.harness.instance(stepInstanceId(runId, 'doomed'))?.output, {
        step: 'doomed',
        status: 'Failed',
        reused: false,
        message: 'compute "fake" has no job fake-1',
      });
    } finally {
      await app.close();
    }
  });

  it('a transient activity error is retried in the activity and the step completes', async () => {
    const calls = { count: 0 };
    const flaky = failingPoll('wobbly', (call) => (call <= 2 ? new TransientError('Cosmos DB is throttling requests (429)', { retryAfterMs: 2 }) : undefined), calls);
    const { app, runId } = await runTwoSteps(flaky, 'wobbly');
    try {
      assert.equal((await app.store.getRun(runId))?.status, 'Completed');
      assert.equal(calls.count, 3);
      const history = app.harness.instance(stepInstanceId(runId, 'wobbly'))!.history;
      assert.equal(history.filter((e) => e.EventType === EventType.TaskFailed).length, 0, 'retries stay inside the activity');
    } finally {
      await app.close();
    }
  });

  it('a transient error that outlasts the retries fails the step, saying so', async () => {
    const calls = { count: 0 };
    const down = failingPoll('down', () => new TransientError('Cosmos DB is unavailable (503)'), calls);
    const { app, runId } = await runTwoSteps(down, 'down');
    try {
      assert.equal(calls.count, 3);
      const stepRun = await app.store.getStepRun(runId, 'down');
      assert.equal(stepRun?.status, 'Failed');
      assert.equal(stepRun?.statusReason, 'Cosmos DB is unavailable (503) (still failing after 3 attempts)');
      assert.equal((await app.store.getRun(runId))?.status, 'Failed');
    } finally {
      await app.close();
    }
  });
});
