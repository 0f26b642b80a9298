import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CosmosClient } from '@azure/cosmos';
import { updateRunRecord } from '../../shared/activities/run-records';
import { ConflictError, TransientError } from '../../shared/errors';
import { CosmosRunStore, type CosmosRunStoreOptions } from '../../shared/store/cosmos/cosmos-run-store';
import { startCosmosServer, type CosmosTestServer } from '../support/cosmos-server';
import { describeRunStoreContract, newRun } from './run-store-contract';

let server: CosmosTestServer;
let admin: CosmosClient;
let databases = 0;

before(async () => {
  server = await startCosmosServer();
  admin = new CosmosClient({ endpoint: server.endpoint, key: server.key, agent: server.agent });
});
after(async () => {
  admin.dispose();
  await server.close();
});

/** A store on a database of its own (so every test starts empty), and how to remove it. */
async function freshStore(options: Partial<CosmosRunStoreOptions> = {}): Promise<{ store: CosmosRunStore; cleanup: () => Promise<void> }> {
  const database = `tributary-test-${++databases}`;
  const store = await CosmosRunStore.connect({ endpoint: server.endpoint, database, auth: { key: server.key }, agent: server.agent, createContainers: true, ...options });
  return { store, cleanup: async () => void (await admin.database(database).delete()) };
}

describeRunStoreContract('CosmosRunStore', () => freshStore());

const isPut = (req: { method?: string }): boolean => req.method === 'PUT';

describe('CosmosRunStore under throttling and races', () => {
  it('retries a throttled (429) request after the delay the server asks for, then succeeds', async () => {
    const { store, cleanup } = await freshStore();
    try {
      await store.createRun(newRun('run-429'));
      server.inject({ status: 429, headers: { 'x-ms-retry-after-ms': '60' }, count: 2 });
      const served = server.faultsServed;
      const started = Date.now();
      const run = await store.getRun('run-429');
      assert.equal(run?.id, 'run-429');
      assert.equal(server.faultsServed - served, 2);
      assert.ok(Date.now() - started >= 100, 'waited the requested 2 × 60 ms before succeeding');
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('surfaces throttling that outlasts the retries as TransientError with the server delay, and writes nothing', async () => {
    const { store, cleanup } = await freshStore({ throttling: { maxRetries: 1, maxWaitSeconds: 5 } });
    try {
      await store.createRun(newRun('run-busy'));
      server.inject({ status: 429, headers: { 'x-ms-retry-after-ms': '25' }, count: 2, match: isPut });
      await assert.rejects(store.updateRun('run-busy', 1, { status: 'Failed' }), (err: unknown) => {
        assert.ok(err instanceof TransientError, `expected TransientError, got ${String(err)}`);
        assert.equal(err.retryAfterMs, 25);
        assert.match(err.message, /updateRun run-busy: Cosmos DB is throttling requests \(429\)/);
        return true;
      });
      const stored = await store.getRun('run-busy');
      assert.equal(stored?.version, 1);
      assert.equal(stored?.status, 'Running');
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('maps a lost ETag race (412) on replace to ConflictError naming both versions, record intact', async () => {
    const { store, cleanup } = await freshStore();
    try {
      await store.createRun(newRun('run-412'));
      server.inject({ status: 412, count: 1, match: isPut });
      await assert.rejects(store.updateRun('run-412', 1, { status: 'Failed' }), (err: unknown) => {
        assert.ok(err instanceof ConflictError);
        assert.match(err.message, /run run-412 was updated concurrently: expected version 1 but the stored version is 1/);
        return true;
      });
      assert.deepEqual(await store.getRun('run-412'), { ...newRun('run-412'), version: 1 });
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('lets read-modify-write callers recover from a 412 by re-reading (as activities do)', async () => {
    const { store, cleanup } = await freshStore();
    try {
      await store.createRun(newRun('run-rmw', { status: 'Queued' }));
      server.inject({ status: 412, count: 2, match: isPut });
      const saved = await updateRunRecord(store, 'run-rmw', () => ({ status: 'Running' }));
      assert.equal(saved.status, 'Running');
      assert.equal(saved.version, 2);
    } finally {
      await store.close();
      await cleanup();
    }
  });

  it('keeps step runs in their run partition: listing one run reads only that run', async () => {
    const { store, cleanup } = await freshStore();
    try {
      for (const runId of ['run-a', 'run-b']) {
        await store.putStepRun({ runId, step: 'train', status: 'Queued', attempt: 1, compute: 'local', reused: false, outputs: {} });
      }
      const steps = await store.listStepRuns('run-a');
      assert.deepEqual(steps.map((s) => `${s.runId}/${s.step}`), ['run-a/train']);
    } finally {
      await store.close();
      await cleanup();
    }
  });
});
