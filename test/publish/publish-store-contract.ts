import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import { DEFINITION_SCHEMA_VERSION, type PipelineDefinition } from '../../shared/model/definition';
import type { PublishStore } from '../../shared/publish/publish-store';
import type { IdempotencyRecord, NewPublishedPipeline } from '../../shared/publish/records';

/**
 * The publish-store contract, one suite for every PublishStore (SQLite locally, Cosmos DB in
 * Azure). `makeStore` returns an empty store per test; the suite closes it, then calls `cleanup`.
 */
export type PublishStoreFactory = () => Promise<{ store: PublishStore; cleanup: () => Promise<void> }>;

/** A fixed instant `seconds` after 2025-01-01T00:00:00Z. */
export function at(seconds: number): string {
  return new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString();
}

export function publishedDefinition(name = 'score'): PipelineDefinition {
  return {
    schemaVersion: DEFINITION_SCHEMA_VERSION,
    name,
    description: 'scores «ünïcode» 🚀',
    continueOnStepFailure: false,
    inputs: { alpha: { type: 'number', default: 0.5 }, label: { type: 'string', optional: true } },
    outputs: {},
    steps: {
      run: {
        name: 'run',
        kind: 'command',
        command: 'echo ${{inputs.alpha}}',
        compute: 'local',
        inputs: { alpha: { type: 'number', optional: false, binding: { kind: 'pipelineInput', name: 'alpha' } } },
        outputs: {},
        environmentVariables: {},
        allowReuse: true,
        retry: { maxAttempts: 1, initialDelaySeconds: 0 },
        origin: 'sdk:steps[0]',
      },
    },
    source: 'sdk',
  };
}

export function newPipeline(id: string, overrides: Partial<NewPublishedPipeline> = {}): NewPublishedPipeline {
  return { id, name: 'score', status: 'Active', definition: publishedDefinition(), createdAt: at(0), ...overrides };
}

function claim(overrides: Partial<IdempotencyRecord> = {}): IdempotencyRecord {
  return { scope: 'pipeline:p1', key: 'k1', runId: 'run-1', requestHash: 'h1', createdAt: at(0), expiresAt: at(86_400), ...overrides };
}

export function describePublishStoreContract(name: string, makeStore: PublishStoreFactory): void {
  const withStore = (fn: (store: PublishStore) => Promise<void>) => async () => {
    const { store, cleanup } = await makeStore();
    try {
      await fn(store);
    } finally {
      await store.close();
      await cleanup();
    }
  };

  describe(`${name}: publish-store contract`, () => {
    describe('published pipelines', () => {
      it('stores a pipeline and reads it back unchanged', withStore(async (store) => {
        const created = await store.createPipeline(newPipeline('score-1', { version: '2.0', description: 'd', sourceRunId: 'r1', snapshots: { run: 'a'.repeat(64) } }));
        assert.deepEqual(created, { ...newPipeline('score-1', { version: '2.0', description: 'd', sourceRunId: 'r1', snapshots: { run: 'a'.repeat(64) } }), updatedAt: at(0) });
        assert.deepEqual(await store.getPipeline('score-1'), created);
        assert.equal(await store.getPipeline('nope'), undefined);
      }));

      it('assigns the next whole-number version per name when none is given', withStore(async (store) => {
        assert.equal((await store.createPipeline(newPipeline('a'))).version, '1');
        assert.equal((await store.createPipeline(newPipeline('b', { version: '7' }))).version, '7');
        assert.equal((await store.createPipeline(newPipeline('c', { version: 'beta' }))).version, 'beta');
        assert.equal((await store.createPipeline(newPipeline('d'))).version, '8');
        assert.equal((await store.createPipeline(newPipeline('e', { name: 'other' }))).version, '1');
      }));

      it('refuses a second pipeline with the same name and version, or the same id', withStore(async (store) => {
        await store.createPipeline(newPipeline('a', { version: '1' }));
        await assert.rejects(store.createPipeline(newPipeline('b', { version: '1' })), (err: unknown) => err instanceof ConflictError && /version 1/.test(err.message));
        await assert.rejects(store.createPipeline(newPipeline('a', { version: '2' })), ConflictError);
      }));

      it('gives concurrent publishes without a version distinct versions', withStore(async (store) => {
        const made = await Promise.all(Array.from({ length: 10 }, (_, i) => store.createPipeline(newPipeline(`p${i}`))));
        assert.deepEqual(made.map((p) => Number(p.version)).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      }));

      it('lists newest first, filters by name and status, and pages', withStore(async (store) => {
        for (let i = 0; i < 5; i++) await store.createPipeline(newPipeline(`p${i}`, { name: i % 2 ? 'odd' : 'even', createdAt: at(i) }));
        await store.setPipelineStatus('p4', 'Disabled', at(10));
        assert.deepEqual((await store.listPipelines()).items.map((p) => p.id), ['p4', 'p3', 'p2', 'p1', 'p0']);
        assert.deepEqual((await store.listPipelines({ name: 'even' })).items.map((p) => p.id), ['p4', 'p2', 'p0']);
        assert.deepEqual((await store.listPipelines({ name: 'even', status: 'Active' })).items.map((p) => p.id), ['p2', 'p0']);
        const first = await store.listPipelines({ limit: 2 });
        assert.deepEqual(first.items.map((p) => p.id), ['p4', 'p3']);
        assert.ok(first.continuationToken);
        const second = await store.listPipelines({ limit: 2, continuationToken: first.continuationToken });
        assert.deepEqual(second.items.map((p) => p.id), ['p2', 'p1']);
        const third = await store.listPipelines({ limit: 2, continuationToken: second.continuationToken });
        assert.deepEqual(third.items.map((p) => p.id), ['p0']);
        assert.equal(third.continuationToken, undefined);
        await assert.rejects(store.listPipelines({ continuationToken: 'garbage' }), ValidationError);
        await assert.rejects(store.listPipelines({ limit: 0 }), ValidationError);
      }));

      it('deletes a pipeline (undoing a failed publish) and frees its version of the name', withStore(async (store) => {
        await store.createPipeline(newPipeline('a'));
        await store.createPipeline(newPipeline('b', { version: 'beta' }));
        assert.equal(await store.deletePipeline('a'), true);
        assert.equal(await store.getPipeline('a'), undefined);
        assert.equal(await store.deletePipeline('a'), false);
        assert.equal(await store.deletePipeline('missing'), false);
        assert.equal(await store.deletePipeline('b'), true);
        assert.equal((await store.createPipeline(newPipeline('c', { createdAt: at(1) }))).version, '1', 'the number is free again');
        assert.equal((await store.createPipeline(newPipeline('d', { version: 'beta', createdAt: at(1) }))).version, 'beta');
        assert.deepEqual((await store.listPipelines()).items.map((p) => p.id).sort(), ['c', 'd']);
      }));

      it('disables and enables; a status change of a missing pipeline is undefined', withStore(async (store) => {
        await store.createPipeline(newPipeline('a'));
        const disabled = await store.setPipelineStatus('a', 'Disabled', at(5));
        assert.equal(disabled?.status, 'Disabled');
        assert.equal(disabled?.updatedAt, at(5));
        assert.equal((await store.setPipelineStatus('a', 'Disabled', at(6)))?.updatedAt, at(5), 'no change, no new timestamp');
        assert.equal((await store.setPipelineStatus('a', 'Active', at(7)))?.status, 'Active');
        assert.equal(await store.setPipelineStatus('missing', 'Active', at(7)), undefined);
      }));
    });

    describe('pipeline endpoints', () => {
      const endpoint = { name: 'scoring', description: 'live', defaultVersion: '1', versions: [{ version: '1', pipelineId: 'a', addedAt: at(0) }], createdAt: at(0) };

      it('creates, reads and refuses a duplicate name', withStore(async (store) => {
        const created = await store.createEndpoint(endpoint);
        assert.deepEqual(created, { ...endpoint, updatedAt: at(0), revision: 1 });
        assert.deepEqual(await store.getEndpoint('scoring'), created);
        assert.equal(await store.getEndpoint('other'), undefined);
        await assert.rejects(store.createEndpoint(endpoint), ConflictError);
      }));

      it('updates with optimistic concurrency', withStore(async (store) => {
        await store.createEndpoint(endpoint);
        const versions = [...endpoint.versions, { version: '2', pipelineId: 'b', addedAt: at(1) }];
        const updated = await store.updateEndpoint('scoring', 1, { versions, defaultVersion: '2' }, at(1));
        assert.equal(updated.revision, 2);
        assert.equal(updated.defaultVersion, '2');
        assert.deepEqual((await store.getEndpoint('scoring'))?.versions, versions);
        await assert.rejects(store.updateEndpoint('scoring', 1, { defaultVersion: '1' }, at(2)), ConflictError);
        await assert.rejects(store.updateEndpoint('missing', 1, { defaultVersion: '1' }, at(2)), NotFoundError);
        const cleared = await store.updateEndpoint('scoring', 2, { description: undefined }, at(3));
        assert.equal('description' in cleared, false);
        assert.deepEqual(await store.getEndpoint('scoring'), cleared);
      }));

      it('lists by name and pages', withStore(async (store) => {
        for (const name of ['c', 'a', 'b']) await store.createEndpoint({ ...endpoint, name });
        assert.deepEqual((await store.listEndpoints()).items.map((e) => e.name), ['a', 'b', 'c']);
        const first = await store.listEndpoints({ limit: 2 });
        assert.deepEqual(first.items.map((e) => e.name), ['a', 'b']);
        const second = await store.listEndpoints({ limit: 2, continuationToken: first.continuationToken });
        assert.deepEqual(second.items.map((e) => e.name), ['c']);
        assert.equal(second.continuationToken, undefined);
      }));
    });

    describe('idempotency claims', () => {
      it('the first claim wins; later ones see it', withStore(async (store) => {
        assert.deepEqual(await store.claimIdempotency(claim()), { claimed: true, record: claim() });
        assert.deepEqual(await store.claimIdempotency(claim({ runId: 'run-2', createdAt: at(10) })), { claimed: false, record: claim() });
        assert.deepEqual(await store.getIdempotency('pipeline:p1', 'k1', at(10)), claim());
        assert.equal((await store.claimIdempotency(claim({ scope: 'pipeline:p2', runId: 'run-3' }))).claimed, true, 'keys are per scope');
      }));

      it('exactly one of many concurrent claims wins', withStore(async (store) => {
        const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.claimIdempotency(claim({ runId: `run-${i}` }))));
        assert.equal(results.filter((r) => r.claimed).length, 1);
        const winner = results.find((r) => r.claimed)!.record.runId;
        assert.ok(results.every((r) => r.record.runId === winner));
      }));

      it('an expired claim is invisible and replaced', withStore(async (store) => {
        await store.claimIdempotency(claim({ expiresAt: at(100) }));
        assert.equal(await store.getIdempotency('pipeline:p1', 'k1', at(100)), undefined);
        const again = await store.claimIdempotency(claim({ runId: 'run-2', createdAt: at(100), expiresAt: at(200) }));
        assert.equal(again.claimed, true);
        assert.equal(again.record.runId, 'run-2');
      }));

      it('release drops only the claim naming the run; purge drops expired claims', withStore(async (store) => {
        await store.claimIdempotency(claim());
        await store.releaseIdempotency('pipeline:p1', 'k1', 'other-run');
        assert.ok(await store.getIdempotency('pipeline:p1', 'k1', at(1)));
        await store.releaseIdempotency('pipeline:p1', 'k1', 'run-1');
        assert.equal(await store.getIdempotency('pipeline:p1', 'k1', at(1)), undefined);
        await store.claimIdempotency(claim({ key: 'old', expiresAt: at(50) }));
        await store.claimIdempotency(claim({ key: 'new', expiresAt: at(500) }));
        assert.equal(await store.purgeExpiredIdempotency(at(100)), 1);
        assert.ok(await store.getIdempotency('pipeline:p1', 'new', at(100)));
      }));
    });
  });
}
