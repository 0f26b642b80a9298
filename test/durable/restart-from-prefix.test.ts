import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Activities } from '../../shared/orchestration/activity-types';
import { FakeInstantCompute } from './harness/fake-compute';
import { createTestApp } from './harness/local-app';
import { pipeline, step } from './harness/pipelines';
import { endingOf, restartFrom } from './harness/restart-from-prefix';

/** Attempt 1 of step "flaky" exits 1 (retried); everything else succeeds after 0–2 Running polls. */
function flakyOnce(activities: Activities): Activities {
  return {
    ...activities,
    async pollStep(input) {
      const status = await activities.pollStep(input);
      return input.step === 'flaky' && input.attempt === 1 && status.state === 'Succeeded' ? { state: 'Failed', exitCode: 1, message: 'exit code 1' } : status;
    },
  };
}

describe('an orchestration restarted from any prefix of its history', () => {
  it('schedules the same work and ends in the same state, for every instance and generation of a run', async () => {
    const compute = new FakeInstantCompute('fake', (job) => job.length % 3);
    const app = await createTestApp({ computes: { fake: compute }, wrapActivities: flakyOnce });
    try {
      const runId = await app.submit(
        pipeline('restartable', [
          step('source', 'true', {}, { compute: 'fake' }),
          step('flaky', 'true', { data: 'source' }, { compute: 'fake', retry: { maxAttempts: 2, initialDelaySeconds: 5 } }),
          step('steady', 'true', { data: 'source' }, { compute: 'fake' }),
          step('join', 'true', { a: 'flaky', b: 'steady' }, { compute: 'fake' }),
        ]),
      );
      await app.harness.runUntilIdle();
      assert.equal((await app.store.getRun(runId))?.status, 'Completed');
      assert.equal(app.harness.submissions.get(`${runId}/flaky#2`), 1, 'the flaky step was retried once');

      let restarts = 0;
      for (const id of app.harness.instanceIds()) {
        for (const history of app.harness.instance(id)!.executions) {
          const original = await endingOf(app.harness, id, history);
          assert.equal(original.isDone, true, `${id} ran to its end`);
          for (let prefix = 1; prefix <= history.length; prefix++) {
            assert.deepEqual(await restartFrom(app.harness, id, history, prefix), original, `${id} restarted after ${prefix} of ${history.length} events`);
            restarts++;
          }
        }
      }
      assert.ok(restarts > 150, `covered ${restarts} restart points`);
    } finally {
      await app.close();
    }
  });
});
