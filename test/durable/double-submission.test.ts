import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import type { AttemptRef } from '../../shared/orchestration/activity-types';
import { DoubleSubmissionError, ReplayHarness } from './harness/replay-harness';

const attempts: AttemptRef[] = ['a', 'b', 'c'].map((step) => ({ runId: 'r', step, attempt: 1 }));

/** DELIBERATELY WRONG (azure-functions-durable-js#574): re-yields Task.any over the tasks still pending. */
const reListingFanIn: OrchestrationHandler = function* (context: OrchestrationContext) {
  let pending: Task[] = attempts.map((ref) => context.df.callActivity('submitStep', ref));
  while (pending.length > 0) {
    const winner: Task = yield context.df.Task.any(pending);
    pending = pending.filter((task) => task !== winner);
  }
  return 'done';
};

/** The same fan-in yielding each task once. */
const singleWaitFanIn: OrchestrationHandler = function* (context: OrchestrationContext) {
  yield context.df.Task.all(attempts.map((ref) => context.df.callActivity('submitStep', ref)));
  return 'done';
};

function harnessFor(orchestration: OrchestrationHandler): ReplayHarness {
  return new ReplayHarness({
    orchestrations: { fanIn: orchestration },
    activities: { submitStep: async (input) => ({ handle: `job-${(input as AttemptRef).step}` }) },
  });
}

describe('the replay harness reads actions as the Durable extension does', () => {
  it('catches the double submission of a task re-listed in a new Task.any', async () => {
    const harness = harnessFor(reListingFanIn);
    await harness.client.start('fanIn', 'bad', null);
    await assert.rejects(harness.runUntilIdle(), (err: unknown) => {
      assert.ok(err instanceof DoubleSubmissionError, String(err));
      assert.match(err.message, /^r\/[bc]#1 was scheduled for submission 2 times/);
      return true;
    });
  });

  it('passes the same fan-in when each task is yielded once: one submission per attempt', async () => {
    const harness = harnessFor(singleWaitFanIn);
    await harness.client.start('fanIn', 'good', null);
    await harness.runUntilIdle();
    assert.equal(harness.instance('good')?.status, 'Completed');
    assert.deepEqual(Object.fromEntries(harness.submissions), { 'r/a#1': 1, 'r/b#1': 1, 'r/c#1': 1 });
  });
});
