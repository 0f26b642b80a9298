import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { Timer } from '@azure/functions';
import { durableClientInput, instanceClientFor } from '../../functions/durable/durable-client';
import { AZURE_MONITOR } from '../../functions/durable/durable-run-launcher';
import { RUN_ORCHESTRATION } from '../../functions/durable/names';
import { restartSweepHandler, restartUnstartedRuns } from '../../functions/durable/unstarted-runs';
import { CosmosRunStore } from '../../shared/store/cosmos/cosmos-run-store';
import type { RunStatus } from '../../shared/store/records';
import { startCosmosServer, type CosmosTestServer } from '../support/cosmos-server';
import { at, minimalRun } from '../store/run-store-contract';
import { startFakeDurableExtension, type FakeDurableExtension } from './support/fake-durable-extension';

const TIMER: Timer = { isPastDue: false, schedule: { adjustForDST: false }, scheduleStatus: { last: at(0), next: at(300), lastUpdated: at(0) } };
/** Long after the runs below were recorded (at(0)…at(9)). */
const LATER = new Date(at(3600));

describe('the re-start sweep (timer) on the Cosmos DB run store and a Durable client', () => {
  let server: CosmosTestServer;
  let durable: FakeDurableExtension;
  let store: CosmosRunStore;
  let database = 0;

  before(async () => {
    server = await startCosmosServer();
    durable = await startFakeDurableExtension();
  });
  after(async () => {
    await store?.close();
    await durable.close();
    await server.close();
  });
  beforeEach(async () => {
    await store?.close();
    store = await CosmosRunStore.connect({ endpoint: server.endpoint, database: `sweep-${++database}`, auth: { key: server.key }, agent: server.agent, createContainers: true });
    durable.starts.length = 0;
    durable.instances.clear();
  });

  const record = (id: string, status: RunStatus, createdAt = at(0)) => store.createRun({ ...minimalRun(id, createdAt), status });
  const client = () => instanceClientFor(durable.context(durableClientInput));

  it('starts a NotStarted run without an orchestration exactly once, with the run id as instance id', async () => {
    await record('orphan', 'NotStarted');
    const tick = restartSweepHandler({ store: async () => store, client: instanceClientFor });
    await tick(TIMER, durable.context(durableClientInput));
    await tick(TIMER, durable.context(durableClientInput));
    assert.deepEqual(durable.starts, [{ orchestration: RUN_ORCHESTRATION, instanceId: 'orphan', input: { runId: 'orphan', monitor: AZURE_MONITOR } }]);
    assert.deepEqual((await store.getRun('orphan'))?.driver?.instanceId, 'orphan');
  });

  it('starts Queued runs too, and leaves young, running and ended runs alone', async () => {
    await record('queued', 'Queued');
    await record('young', 'NotStarted', new Date(LATER.getTime() - 30_000).toISOString());
    for (const status of ['Running', 'CancelRequested', 'Completed', 'Failed', 'Canceled'] as const) await record(`is-${status}`, status);
    const result = await restartUnstartedRuns(store, client(), LATER);
    assert.deepEqual(result, { checked: 2, started: ['queued'], failed: [], errors: [] });
    assert.deepEqual(durable.starts.map((s) => s.instanceId), ['queued']);
  });

  it('leaves a run whose orchestration is live, and records as Failed one whose orchestration ended before it started', async () => {
    await record('pending', 'NotStarted');
    await record('dead', 'NotStarted');
    durable.instances.set('pending', { name: RUN_ORCHESTRATION, input: null, runtimeStatus: 'Pending' });
    durable.instances.set('dead', { name: RUN_ORCHESTRATION, input: null, runtimeStatus: 'Terminated' });
    const result = await restartUnstartedRuns(store, client(), LATER);
    assert.deepEqual(result.started, []);
    assert.deepEqual(result.failed, ['dead']);
    assert.equal(durable.starts.length, 0);
    const dead = await store.getRun('dead');
    assert.equal(dead?.status, 'Failed');
    assert.equal(dead?.statusReason, 'its orchestration ended (Terminated) before the run started');
    assert.equal((await store.getRun('pending'))?.status, 'NotStarted');
  });

  it('goes on past a run it cannot start, and reports it', async () => {
    await record('first', 'NotStarted', at(1));
    await record('second', 'NotStarted', at(0));
    const failingOnce = client();
    const start = failingOnce.start;
    failingOnce.start = async (name, id, input) => (id === 'first' ? Promise.reject(new Error('task hub unavailable')) : start(name, id, input));
    const result = await restartUnstartedRuns(store, failingOnce, LATER);
    assert.deepEqual(result.started, ['second']);
    assert.deepEqual(result.errors, [{ runId: 'first', message: 'task hub unavailable' }]);
    assert.deepEqual((await restartUnstartedRuns(store, client(), LATER)).started, ['first'], 'the next tick starts it');
  });

  it('bounds the work of one tick; the next tick goes on', async () => {
    for (let i = 0; i < 5; i++) await record(`r${i}`, 'NotStarted', at(i));
    const limits = { minAgeMs: 60_000, maxChecked: 100, maxStarted: 2 };
    assert.deepEqual((await restartUnstartedRuns(store, client(), LATER, limits)).started, ['r4', 'r3']);
    assert.deepEqual((await restartUnstartedRuns(store, client(), LATER, limits)).started, ['r2', 'r1']);
    // Newest first: the runs started above are looked at (and left) before r0.
    assert.deepEqual(await restartUnstartedRuns(store, client(), LATER, { ...limits, maxChecked: 3 }), { checked: 3, started: [], failed: [], errors: [] });
    assert.deepEqual(await restartUnstartedRuns(store, client(), LATER, { ...limits, maxChecked: 5 }), { checked: 5, started: ['r0'], failed: [], errors: [] });
    assert.equal(durable.starts.length, 5);
  });
});
