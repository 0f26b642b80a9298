import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TransientError } from '../../shared/errors';
import type { Activities } from '../../shared/orchestration/activity-types';
import { CosmosRunStore } from '../../shared/store/cosmos/cosmos-run-store';
import { startCosmosServer, type CosmosTestServer } from '../support/cosmos-server';
import { FakeInstantCompute } from './harness/fake-compute';
import { createTestApp } from './harness/local-app';
import { fanOut } from './harness/pipelines';

let server: CosmosTestServer;
before(async () => (server = await startCosmosServer()));
after(() => server.close());

describe('a Durable run on the Cosmos DB run store', () => {
  it('completes with consistent records while Cosmos throttles (429) and writers lose ETag races (412)', async () => {
    const store = await CosmosRunStore.connect({
      endpoint: server.endpoint,
      database: 'durable-run',
      auth: { key: server.key },
      agent: server.agent,
      createContainers: true,
      throttling: { maxRetries: 1, maxWaitSeconds: 5 },
    });
    let transientFailures = 0;
    const countingTransient = (activities: Activities): Activities =>
      Object.fromEntries(
        Object.entries(activities).map(([name, fn]: [string, (input: unknown) => Promise<unknown>]) => [
          name,
          (input: unknown) =>
            fn.call(activities, input).catch((err: unknown) => {
              if (err instanceof TransientError) transientFailures++;
              throw err;
            }),
        ]),
      ) as unknown as Activities;
    const app = await createTestApp({ store, computes: { fake: new FakeInstantCompute('fake', (job) => job.length % 3) }, wrapActivities: countingTransient });
    try {
      let requests = 0;
      let replaces = 0;
      // Every 7th request is throttled (the client retries it after the server's delay); every
      // 60th starts a burst of two, which outlasts the client's one retry and reaches the activity
      // as TransientError (retried there). Every third replace loses an ETag race.
      server.inject({ status: 429, headers: { 'x-ms-retry-after-ms': '1' }, count: 10_000, match: () => ++requests % 7 === 0 || requests % 60 < 2 });
      server.inject({ status: 412, count: 10_000, match: (req) => req.method === 'PUT' && ++replaces % 3 === 0 });

      const runId = await app.submit(fanOut(12, 'fake'));
      await app.harness.runUntilIdle();

      const run = await store.getRun(runId);
      assert.equal(run?.status, 'Completed', run?.statusReason);
      const steps = await store.listStepRuns(runId);
      assert.equal(steps.length, 14);
      for (const s of steps) {
        assert.equal(s.status, 'Completed', `${s.step}: ${s.statusReason}`);
        assert.equal(s.attempt, 1);
        assert.ok(s.outputs['out']?.uri, `${s.step} recorded its output`);
      }
      assert.ok([...app.harness.submissions.values()].every((n) => n === 1));
      assert.ok(server.faultsServed > 50, `${server.faultsServed} faults served`);
      assert.ok(transientFailures > 0, 'some throttling outlasted the client and was retried by the activity');
    } finally {
      await app.close();
    }
  });
});
