import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CosmosClient } from '@azure/cosmos';
import { ConflictError, TransientError } from '../../shared/errors';
import { CosmosPublishStore } from '../../shared/publish/cosmos/cosmos-publish-store';
import { PUBLISH_CONTAINERS } from '../../shared/publish/cosmos/publish-containers';
import { startCosmosServer, type CosmosTestServer } from '../support/cosmos-server';
import { at, describePublishStoreContract, newPipeline } from './publish-store-contract';

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
async function freshStore(throttling?: { maxRetries: number; maxWaitSeconds: number }): Promise<{ store: CosmosPublishStore; database: string; cleanup: () => Promise<void> }> {
  const database = `publish-test-${++databases}`;
  const store = await CosmosPublishStore.connect({
    endpoint: server.endpoint,
    database,
    auth: { key: server.key },
    agent: server.agent,
    createContainers: true,
    ...(throttling ? { throttling } : {}),
  });
  return { store, database, cleanup: async () => void (await admin.database(database).delete()) };
}

describePublishStoreContract('CosmosPublishStore', () => freshStore());

describe('CosmosPublishStore on Cosmos DB', () => {
  const withStore = (fn: (store: CosmosPublishStore, database: string) => Promise<void>, throttling?: { maxRetries: number; maxWaitSeconds: number }) => async () => {
    const { store, database, cleanup } = await freshStore(throttling);
    try {
      await fn(store, database);
    } finally {
      await store.close();
      await cleanup();
    }
  };

  it('creates the containers with the partition keys the store queries by, and TTL on for claims', withStore(async (_store, database) => {
    for (const definition of Object.values(PUBLISH_CONTAINERS)) {
      const { resource } = await admin.database(database).container(definition.id).read();
      assert.deepEqual(resource?.partitionKey?.paths, definition.partitionKey.paths, definition.id);
    }
    assert.equal(PUBLISH_CONTAINERS.idempotency.defaultTtl, -1);
  }));

  it('gives every claim a Cosmos ttl past its expiry, and never returns it in the record', withStore(async (store, database) => {
    const claim = { scope: 'endpoint:e', key: 'nightly/2025?#', runId: 'r1', requestHash: 'h', createdAt: at(0), expiresAt: at(86_400) };
    assert.deepEqual(await store.claimIdempotency(claim), { claimed: true, record: claim });
    const { resources } = await admin.database(database).container('idempotency').items.query<{ ttl: number; key: string }>('SELECT * FROM c').fetchAll();
    assert.equal(resources.length, 1);
    assert.equal(resources[0]!.key, 'nightly/2025?#', 'keys with characters Cosmos ids cannot hold are stored under a hash');
    assert.ok(resources[0]!.ttl > 86_400);
    assert.deepEqual(await store.getIdempotency('endpoint:e', 'nightly/2025?#', at(1)), claim);
  }));

  it('takes over a version reserved by a publish that crashed before storing its pipeline, once it is old', withStore(async (store, database) => {
    const versions = admin.database(database).container('pipelineVersions');
    await versions.items.create({ id: '1', name: 'score', pipelineId: 'never-stored', claimedAt: at(0) });
    await assert.rejects(store.createPipeline(newPipeline('fresh', { version: '1', createdAt: at(30) })), ConflictError);
    const taken = await store.createPipeline(newPipeline('later', { version: '1', createdAt: at(120) }));
    assert.equal(taken.version, '1');
    assert.equal((await versions.item('1', 'score').read<{ pipelineId: string }>()).resource?.pipelineId, 'later');
  }));

  it('gives a version back when the pipeline cannot be stored', withStore(async (store) => {
    await store.createPipeline(newPipeline('dup', { version: '1' }));
    await assert.rejects(store.createPipeline(newPipeline('dup', { version: '2' })), ConflictError);
    assert.equal((await store.createPipeline(newPipeline('other', { version: '2' }))).version, '2');
  }));

  it('surfaces throttling that outlasts the client retries as TransientError with the server delay', withStore(async (store) => {
    server.inject({ status: 429, headers: { 'x-ms-retry-after-ms': '20' }, count: 2 });
    await assert.rejects(store.getPipeline('any'), (err: unknown) => {
      assert.ok(err instanceof TransientError, String(err));
      assert.equal(err.retryAfterMs, 20);
      assert.match(err.message, /getPipeline any: Cosmos DB is throttling requests \(429\)/);
      return true;
    });
  }, { maxRetries: 1, maxWaitSeconds: 5 }));

  it('maps a lost ETag race on an endpoint update (412) to ConflictError, record intact', withStore(async (store) => {
    const endpoint = { name: 'e', defaultVersion: '1', versions: [{ version: '1', pipelineId: 'a', addedAt: at(0) }], createdAt: at(0) };
    await store.createEndpoint(endpoint);
    server.inject({ status: 412, count: 1, match: (req) => req.method === 'PUT' });
    await assert.rejects(store.updateEndpoint('e', 1, { defaultVersion: '1' }, at(1)), /updated concurrently/);
    assert.equal((await store.getEndpoint('e'))?.revision, 1);
  }));
});
