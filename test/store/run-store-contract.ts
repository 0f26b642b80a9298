import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConflictError, NotFoundError, ValidationError } from '../../shared/errors';
import { DEFINITION_SCHEMA_VERSION, type PipelineDefinition } from '../../shared/model/definition';
import type { MetricRecord, ReuseRecord, RunRecord } from '../../shared/store/records';
import type { NewRun, NewStepRun, RunStore } from '../../shared/store/run-store';

/**
 * The run-store contract, as one suite every RunStore implementation runs (SQLite locally,
 * Cosmos DB in Azure). `makeStore` is called once per test and must return an empty store; the
 * suite closes the store, then calls `cleanup` to remove whatever `makeStore` created.
 *
 * Orders the interface leaves open (step runs within a run, metrics) are compared as sets.
 */
export type RunStoreFactory = () => Promise<{ store: RunStore; cleanup: () => Promise<void> }>;

// ---- fixtures (exported for store-specific tests) ----

/** A fixed instant `seconds` after 2025-01-01T00:00:00Z, in toISOString form. */
export function at(seconds: number): string {
  return new Date(Date.UTC(2025, 0, 1) + seconds * 1000).toISOString();
}

export function definition(name = 'train-pipeline'): PipelineDefinition {
  return {
    schemaVersion: DEFINITION_SCHEMA_VERSION,
    name,
    displayName: 'Train — «ünïcode» 🚀',
    experimentName: 'exp-a',
    defaultCompute: 'azureml:cpu-cluster',
    continueOnStepFailure: false,
    inputs: { lr: { type: 'number', default: 0.01 }, data: { type: 'uri_folder', default: 'azureml://datastores/workspaceblobstore/paths/iris/' } },
    outputs: { model: { step: 'train', output: 'model' } },
    steps: {
      train: {
        name: 'train',
        kind: 'command',
        command: 'python train.py --lr ${{inputs.lr}} $[[--data ${{inputs.data}}]] --out ${{outputs.model}}',
        codeDir: '/src/train',
        environment: { reference: 'azureml:sklearn:3' },
        compute: 'local',
        inputs: {
          lr: { type: 'number', optional: false, binding: { kind: 'pipelineInput', name: 'lr' } },
          data: { type: 'uri_folder', optional: true, binding: { kind: 'datastorePath', type: 'uri_folder', datastore: 'workspaceblobstore', path: 'iris/' } },
        },
        outputs: { model: { type: 'uri_folder', mode: 'rw_mount' } },
        environmentVariables: { PYTHONHASHSEED: '0' },
        allowReuse: true,
        retry: { maxAttempts: 3, initialDelaySeconds: 5 },
        timeoutSeconds: 3600,
        origin: 'pipeline.yml:12',
      },
    },
    source: 'pipeline.yml',
  };
}

/** A run with every optional field set unless `overrides` says otherwise. */
export function newRun(id: string, overrides: Partial<NewRun> = {}): NewRun {
  return {
    id,
    experiment: 'exp-a',
    pipelineName: 'train-pipeline',
    publishedPipelineId: 'pub-1',
    status: 'Running',
    statusReason: 'started by test',
    definition: definition(),
    parameters: { lr: 0.01, epochs: 10, name: 'iris', shuffle: true },
    options: { regenerateOutputs: false, computeMap: { 'azureml:gpu': 'local' }, source: 'cli' },
    git: { commit: '0123456789abcdef0123456789abcdef01234567', branch: 'main', dirty: true, remoteUrl: 'https://example.com/org/repo.git' },
    createdAt: at(0),
    startedAt: at(1),
    endedAt: at(2),
    driver: { kind: 'local', pid: 4242, host: 'build-box', heartbeatAt: at(1) },
    ...overrides,
  };
}

/** A run with no optional fields. */
export function minimalRun(id: string, createdAt = at(0)): NewRun {
  return {
    id,
    experiment: 'exp-a',
    pipelineName: 'train-pipeline',
    status: 'NotStarted',
    definition: definition(),
    parameters: {},
    options: { regenerateOutputs: false, computeMap: {}, source: 'sdk' },
    createdAt,
  };
}

export function newStepRun(runId: string, step: string, overrides: Partial<NewStepRun> = {}): NewStepRun {
  return {
    runId,
    step,
    status: 'Completed',
    statusReason: 'exit code 0',
    attempt: 2,
    compute: 'local',
    handle: 'pid:31337',
    exitCode: 0,
    queuedAt: at(10),
    startedAt: at(11),
    endedAt: at(12),
    durationMs: 1000,
    reused: true,
    reusedFrom: { runId: 'run-earlier', step },
    reuseKey: 'sha256:aaaa',
    command: 'python train.py --lr 0.01 --out /tmp/out/model',
    outputs: {
      model: { uri: 'azureml://datastores/workspaceblobstore/paths/runs/r/train/model', fingerprint: 'sha256:bbbb' },
      logs: { uri: '/tmp/out/logs' },
    },
    ...overrides,
  };
}

export function reuseRecord(key: string, runId: string, overrides: Partial<ReuseRecord> = {}): ReuseRecord {
  return {
    key,
    pipelineName: 'train-pipeline',
    runId,
    step: 'train',
    outputs: { model: { uri: `azureml://datastores/workspaceblobstore/paths/runs/${runId}/train/model`, fingerprint: `fp-${runId}` } },
    manifest: { command: 'python train.py', inputs: [{ name: 'lr', value: 0.01 }, { name: 'data', fingerprint: null }], code: { files: 3 } },
    createdAt: at(100),
    ...overrides,
  };
}

// ---- helpers ----

async function rejectsWith(promise: Promise<unknown>, errorClass: new (...args: never[]) => Error, mentions: (string | RegExp)[] = []): Promise<Error> {
  let caught: unknown;
  await assert.rejects(promise, (err: unknown) => {
    caught = err;
    return true;
  });
  assert.ok(caught instanceof errorClass, `expected ${errorClass.name}, got ${String(caught)}`);
  for (const m of mentions) {
    const found = typeof m === 'string' ? caught.message.includes(m) : m.test(caught.message);
    assert.ok(found, `message ${JSON.stringify(caught.message)} should mention ${String(m)}`);
  }
  return caught;
}

const bySortKey = <T>(items: T[]): T[] => [...items].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const ids = (runs: RunRecord[]): string[] => runs.map((r) => r.id);

/** Expected listing order: createdAt descending, then id descending. */
const newestFirst = (runs: NewRun[]): string[] =>
  [...runs].sort((a, b) => (a.createdAt === b.createdAt ? b.id.localeCompare(a.id) : b.createdAt.localeCompare(a.createdAt))).map((r) => r.id);

async function allPages(store: RunStore, filter: { experiment?: string; limit: number }): Promise<{ pages: string[][]; tokens: (string | undefined)[] }> {
  const pages: string[][] = [];
  const tokens: (string | undefined)[] = [];
  let token: string | undefined;
  do {
    const page = await store.listRuns({ ...filter, continuationToken: token });
    pages.push(ids(page.items));
    tokens.push(page.continuationToken);
    token = page.continuationToken;
    assert.ok(pages.length < 100, 'paging did not end');
  } while (token !== undefined);
  return { pages, tokens };
}

export function describeRunStoreContract(name: string, makeStore: RunStoreFactory): void {
  const test = (title: string, body: (store: RunStore) => Promise<void>): void => {
    it(title, async () => {
      const { store, cleanup } = await makeStore();
      try {
        await body(store);
      } finally {
        await store.close();
        await cleanup();
      }
    });
  };

  describe(`RunStore contract: ${name}`, () => {
    describe('runs', () => {
      test('createRun returns version 1 and getRun round-trips every field exactly', async (store) => {
        const input = newRun('run-full');
        assert.deepEqual(await store.createRun(input), { ...input, version: 1 });
        assert.deepEqual(await store.getRun('run-full'), { ...input, version: 1 });
      });

      test('a run without optional fields comes back without them', async (store) => {
        const input = minimalRun('run-min');
        await store.createRun(input);
        assert.deepEqual(await store.getRun('run-min'), { ...input, version: 1 });
      });

      test('getRun of an unknown id is undefined', async (store) => {
        assert.equal(await store.getRun('no-such-run'), undefined);
      });

      test('getRunStatus follows the stored status and is undefined for an unknown id', async (store) => {
        const created = await store.createRun(newRun('run-status'));
        assert.equal(await store.getRunStatus('run-status'), created.status);
        await store.updateRun('run-status', 1, { status: 'Canceled' });
        assert.equal(await store.getRunStatus('run-status'), 'Canceled');
        assert.equal(await store.getRunStatus('no-such-run'), undefined);
      });

      test('createRun of an existing id is a ConflictError and leaves the first run and counts as they were', async (store) => {
        const first = await store.createRun(newRun('run-twice'));
        await rejectsWith(store.createRun(newRun('run-twice', { experiment: 'exp-b', status: 'Failed' })), ConflictError, ['run-twice']);
        assert.deepEqual(await store.getRun('run-twice'), first);
        assert.deepEqual(await store.listExperiments(), [{ name: 'exp-a', createdAt: at(0), runCount: 1 }]);
      });

      test('updateRun applies the patch, increments version and returns what getRun returns', async (store) => {
        await store.createRun(newRun('run-upd', { status: 'Queued' }));
        const driver = { kind: 'durable' as const, instanceId: 'inst-1', heartbeatAt: at(50) };
        const updated = await store.updateRun('run-upd', 1, { status: 'Completed', endedAt: at(60), driver });
        assert.deepEqual(updated, { ...newRun('run-upd'), status: 'Completed', endedAt: at(60), driver, version: 2 });
        assert.deepEqual(await store.getRun('run-upd'), updated);
        assert.equal((await store.updateRun('run-upd', 2, {})).version, 3);
      });

      test('updateRun can replace the definition and the other JSON fields', async (store) => {
        await store.createRun(newRun('run-def'));
        const patch = {
          definition: definition('renamed-pipeline'),
          parameters: { lr: 0.5 },
          options: { regenerateOutputs: true, computeMap: {}, source: 'endpoint' },
          git: { commit: 'fedcba', dirty: false },
        };
        const updated = await store.updateRun('run-def', 1, patch);
        assert.deepEqual(updated, { ...newRun('run-def'), ...patch, version: 2 });
        assert.deepEqual(await store.getRun('run-def'), updated);
      });

      test('a patch key set to undefined clears that field', async (store) => {
        await store.createRun(newRun('run-clear'));
        const updated = await store.updateRun('run-clear', 1, { statusReason: undefined, endedAt: undefined });
        assert.equal('statusReason' in updated, false);
        const stored = await store.getRun('run-clear');
        assert.ok(stored);
        assert.equal('statusReason' in stored, false);
        assert.equal('endedAt' in stored, false);
        assert.equal(stored.startedAt, at(1));
      });

      test('updateRun with a stale version is a ConflictError naming the run and both versions', async (store) => {
        await store.createRun(newRun('run-stale'));
        await store.updateRun('run-stale', 1, { status: 'Running' });
        await store.updateRun('run-stale', 2, { status: 'Running' });
        const before = await store.getRun('run-stale');
        await rejectsWith(store.updateRun('run-stale', 2, { status: 'Failed' }), ConflictError, ['run-stale', /\b2\b/, /\b3\b/]);
        assert.deepEqual(await store.getRun('run-stale'), before);
      });

      test('updateRun of an unknown id is a NotFoundError', async (store) => {
        await rejectsWith(store.updateRun('no-such-run', 1, { status: 'Failed' }), NotFoundError, ['no-such-run']);
      });

      test('two concurrent updates from one version: exactly one wins, the other is a ConflictError', async (store) => {
        await store.createRun(newRun('run-race'));
        const results = await Promise.allSettled([
          store.updateRun('run-race', 1, { status: 'Completed' }),
          store.updateRun('run-race', 1, { status: 'Canceled' }),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        const lost = results.filter((r) => r.status === 'rejected');
        assert.equal(won.length, 1);
        assert.equal(lost.length, 1);
        assert.ok(lost[0]!.reason instanceof ConflictError);
        assert.deepEqual(await store.getRun('run-race'), won[0]!.value);
      });

      test('read-modify-write with retry on ConflictError loses no update', async (store) => {
        await store.createRun(newRun('run-counter', { parameters: { counter: 0 } }));
        const increment = async (): Promise<void> => {
          for (;;) {
            const run = await store.getRun('run-counter');
            assert.ok(run);
            await Promise.resolve(); // let the other workers read the same version
            try {
              await store.updateRun(run.id, run.version, { parameters: { counter: Number(run.parameters['counter']) + 1 } });
              return;
            } catch (err) {
              if (!(err instanceof ConflictError)) throw err;
            }
          }
        };
        await Promise.all(Array.from({ length: 3 }, async () => {
          for (let i = 0; i < 5; i++) await increment();
        }));
        const final = await store.getRun('run-counter');
        assert.equal(final?.parameters['counter'], 15);
        assert.equal(final?.version, 16);
      });
    });

    describe('listRuns', () => {
      test('an empty store lists nothing and gives no token', async (store) => {
        assert.deepEqual(await store.listRuns(), { items: [] });
      });

      test('lists newest first, ties on createdAt broken by id descending, with records intact', async (store) => {
        const runs = [newRun('run-b', { createdAt: at(5) }), newRun('run-a', { createdAt: at(5) }), newRun('run-c', { createdAt: at(1) }), newRun('run-d', { createdAt: at(9) })];
        for (const run of runs) await store.createRun(run);
        const page = await store.listRuns();
        assert.deepEqual(ids(page.items), ['run-d', 'run-b', 'run-a', 'run-c']);
        assert.deepEqual(page.items[0], { ...runs[3], version: 1 });
        assert.equal(page.continuationToken, undefined);
      });

      test('filters by experiment, pipelineName, publishedPipelineId and status, alone and combined', async (store) => {
        const runs = [
          newRun('r1', { experiment: 'exp-a', pipelineName: 'p1', publishedPipelineId: 'pub-1', status: 'Completed', createdAt: at(1) }),
          newRun('r2', { experiment: 'exp-b', pipelineName: 'p1', publishedPipelineId: 'pub-2', status: 'Failed', createdAt: at(2) }),
          newRun('r3', { experiment: 'exp-a', pipelineName: 'p2', publishedPipelineId: 'pub-3', status: 'Completed', createdAt: at(3) }),
          { ...minimalRun('r4', at(4)), experiment: 'exp-b', pipelineName: 'p2', status: 'Running' as const },
          newRun('r5', { experiment: 'exp-a', pipelineName: 'p1', publishedPipelineId: 'pub-1', status: 'Failed', createdAt: at(5) }),
        ];
        for (const run of runs) await store.createRun(run);
        const list = async (filter: Parameters<RunStore['listRuns']>[0]): Promise<string[]> => ids((await store.listRuns(filter)).items);
        assert.deepEqual(await list({ experiment: 'exp-a' }), ['r5', 'r3', 'r1']);
        assert.deepEqual(await list({ pipelineName: 'p2' }), ['r4', 'r3']);
        assert.deepEqual(await list({ publishedPipelineId: 'pub-1' }), ['r5', 'r1']);
        assert.deepEqual(await list({ status: 'Failed' }), ['r5', 'r2']);
        assert.deepEqual(await list({ experiment: 'exp-a', pipelineName: 'p1', status: 'Completed' }), ['r1']);
        assert.deepEqual(await list({ experiment: 'exp-b', publishedPipelineId: 'pub-1' }), []);
        assert.deepEqual(await list({ experiment: 'no-such-experiment' }), []);
      });

      test('pages through more than two pages with no duplicates or gaps', async (store) => {
        // Timestamps repeat in threes so that page boundaries fall inside ties.
        const runs = Array.from({ length: 23 }, (_, i) => minimalRun(`run-${String(i).padStart(2, '0')}`, at(Math.floor(i / 3))));
        for (const run of runs) await store.createRun(run);
        const { pages, tokens } = await allPages(store, { limit: 5 });
        assert.deepEqual(pages.map((p) => p.length), [5, 5, 5, 5, 3]);
        assert.deepEqual(pages.flat(), newestFirst(runs));
        assert.equal(tokens.slice(0, -1).every((t) => typeof t === 'string' && t.length > 0), true);
        assert.equal(tokens[tokens.length - 1], undefined);
      });

      test('pages through a filtered listing, and a page that ends exactly at the last item gives no token', async (store) => {
        const runs = Array.from({ length: 20 }, (_, i) => ({ ...minimalRun(`run-${String(i).padStart(2, '0')}`, at(i)), experiment: i % 2 ? 'odd' : 'even' }));
        for (const run of runs) await store.createRun(run);
        const { pages, tokens } = await allPages(store, { experiment: 'odd', limit: 5 });
        assert.deepEqual(pages.map((p) => p.length), [5, 5]);
        assert.deepEqual(pages.flat(), newestFirst(runs.filter((r) => r.experiment === 'odd')));
        assert.equal(tokens[1], undefined);
      });

      test('the default page size is 50', async (store) => {
        for (let i = 0; i < 55; i++) await store.createRun(minimalRun(`run-${String(i).padStart(2, '0')}`, at(i)));
        const first = await store.listRuns();
        assert.equal(first.items.length, 50);
        assert.ok(first.continuationToken);
        const second = await store.listRuns({ continuationToken: first.continuationToken });
        assert.deepEqual(ids(second.items), ['run-04', 'run-03', 'run-02', 'run-01', 'run-00']);
        assert.equal(second.continuationToken, undefined);
      });

      test('a limit outside 1..500 is a ValidationError naming limit; 1 and 500 are accepted', async (store) => {
        await store.createRun(minimalRun('run-x'));
        for (const limit of [0, -1, 501, 2.5, Number.NaN]) {
          const err = await rejectsWith(store.listRuns({ limit }), ValidationError, ['limit']);
          assert.equal((err as ValidationError).target, 'limit');
        }
        assert.equal((await store.listRuns({ limit: 1 })).items.length, 1);
        assert.equal((await store.listRuns({ limit: 500 })).items.length, 1);
      });

      test('a malformed continuation token is a ValidationError naming continuationToken', async (store) => {
        const err = await rejectsWith(store.listRuns({ continuationToken: '%%% not a token %%%' }), ValidationError, ['continuationToken']);
        assert.equal((err as ValidationError).target, 'continuationToken');
      });
    });

    describe('step runs', () => {
      test('putStepRun creates version 1 and getStepRun round-trips every field exactly', async (store) => {
        const input = newStepRun('run-1', 'train');
        assert.deepEqual(await store.putStepRun(input), { ...input, version: 1 });
        assert.deepEqual(await store.getStepRun('run-1', 'train'), { ...input, version: 1 });
      });

      test('a step run without optional fields comes back without them', async (store) => {
        const input: NewStepRun = { runId: 'run-1', step: 'prep', status: 'Queued', attempt: 1, compute: 'local', reused: false, outputs: {} };
        await store.putStepRun(input);
        assert.deepEqual(await store.getStepRun('run-1', 'prep'), { ...input, version: 1 });
      });

      test('putStepRun with the current version replaces the whole record and increments version', async (store) => {
        await store.putStepRun(newStepRun('run-1', 'train'));
        const replacement: NewStepRun = { runId: 'run-1', step: 'train', status: 'Running', attempt: 3, compute: 'gpu', reused: false, outputs: { model: { uri: '/m' } } };
        assert.deepEqual(await store.putStepRun(replacement, 1), { ...replacement, version: 2 });
        assert.deepEqual(await store.getStepRun('run-1', 'train'), { ...replacement, version: 2 });
        assert.equal((await store.putStepRun(replacement, 2)).version, 3);
      });

      test('creating a step run twice is a ConflictError', async (store) => {
        const first = await store.putStepRun(newStepRun('run-1', 'train'));
        await rejectsWith(store.putStepRun(newStepRun('run-1', 'train', { status: 'Failed' })), ConflictError, ['run-1', 'train']);
        assert.deepEqual(await store.getStepRun('run-1', 'train'), first);
      });

      test('a stale version is a ConflictError naming the step run and both versions', async (store) => {
        await store.putStepRun(newStepRun('run-1', 'train'));
        await store.putStepRun(newStepRun('run-1', 'train'), 1);
        await store.putStepRun(newStepRun('run-1', 'train'), 2);
        const before = await store.getStepRun('run-1', 'train');
        await rejectsWith(store.putStepRun(newStepRun('run-1', 'train', { status: 'Failed' }), 2), ConflictError, ['run-1', 'train', /\b2\b/, /\b3\b/]);
        assert.deepEqual(await store.getStepRun('run-1', 'train'), before);
      });

      test('a version for a step run that does not exist is a NotFoundError', async (store) => {
        await rejectsWith(store.putStepRun(newStepRun('run-1', 'ghost'), 1), NotFoundError, ['ghost']);
        assert.equal(await store.getStepRun('run-1', 'ghost'), undefined);
      });

      test('two concurrent creates of one step run: exactly one wins', async (store) => {
        const results = await Promise.allSettled([
          store.putStepRun(newStepRun('run-1', 'train', { attempt: 1 })),
          store.putStepRun(newStepRun('run-1', 'train', { attempt: 2 })),
        ]);
        const won = results.filter((r) => r.status === 'fulfilled');
        assert.equal(won.length, 1);
        assert.ok(results.some((r) => r.status === 'rejected' && r.reason instanceof ConflictError));
        assert.deepEqual(await store.getStepRun('run-1', 'train'), won[0]!.value);
      });

      test('listStepRuns lists the step runs of one run only; unknown ids give undefined and []', async (store) => {
        const steps = ['prep', 'train', 'score'].map((s) => newStepRun('run-1', s));
        for (const s of steps) await store.putStepRun(s);
        await store.putStepRun(newStepRun('run-2', 'train'));
        assert.deepEqual(bySortKey(await store.listStepRuns('run-1')), bySortKey(steps.map((s) => ({ ...s, version: 1 }))));
        assert.deepEqual(await store.listStepRuns('no-such-run'), []);
        assert.equal(await store.getStepRun('run-1', 'no-such-step'), undefined);
      });
    });

    describe('metrics', () => {
      test('addMetrics then listMetrics by run and by step, with numbers, strings and indexes intact', async (store) => {
        const m = (runId: string, step: string, name: string, value: number | string, index?: number): MetricRecord => ({
          runId, step, name, value, loggedAt: at(200 + (index ?? 0)), ...(index === undefined ? {} : { index }),
        });
        const train = [m('run-1', 'train', 'loss', 0.9, 0), m('run-1', 'train', 'loss', 0.5, 1), m('run-1', 'train', 'loss', 0.25, 2), m('run-1', 'train', 'epochs', 3)];
        const evaluate = [m('run-1', 'eval', 'accuracy', 0.97), m('run-1', 'eval', 'label', '3'), m('run-1', 'eval', 'note', 'ok — ✓')];
        const other = [m('run-2', 'train', 'loss', 1.5, 0)];
        await store.addMetrics([...train, ...evaluate]);
        await store.addMetrics(other);
        await store.addMetrics([]);
        assert.deepEqual(bySortKey(await store.listMetrics('run-1')), bySortKey([...train, ...evaluate]));
        assert.deepEqual(bySortKey(await store.listMetrics('run-1', 'train')), bySortKey(train));
        assert.deepEqual(bySortKey(await store.listMetrics('run-1', 'eval')), bySortKey(evaluate));
        assert.deepEqual(await store.listMetrics('run-2'), other);
        assert.deepEqual(await store.listMetrics('run-1', 'no-such-step'), []);
        assert.deepEqual(await store.listMetrics('no-such-run'), []);
      });
    });

    describe('experiments', () => {
      test('lists experiments by name with run counts and the earliest run time', async (store) => {
        assert.deepEqual(await store.listExperiments(), []);
        await store.createRun(minimalRun('r1', at(5)));
        await store.createRun({ ...minimalRun('r2', at(3)), experiment: 'exp-b' });
        await store.createRun({ ...minimalRun('r3', at(1)), experiment: 'exp-b' });
        await store.createRun({ ...minimalRun('r4', at(7)), experiment: 'exp-b' });
        assert.deepEqual(await store.listExperiments(), [
          { name: 'exp-a', createdAt: at(5), runCount: 1 },
          { name: 'exp-b', createdAt: at(1), runCount: 3 },
        ]);
      });
    });

    describe('reuse index', () => {
      test('putReuseIfAbsent stores the record exactly; getReuse of an unknown key is undefined', async (store) => {
        const record = reuseRecord('key-1', 'run-1');
        assert.deepEqual(await store.putReuseIfAbsent(record), record);
        assert.deepEqual(await store.getReuse('key-1'), record);
        assert.equal(await store.getReuse('no-such-key'), undefined);
      });

      test('first writer wins: a second put returns the stored record unchanged', async (store) => {
        const first = reuseRecord('key-1', 'run-1');
        await store.putReuseIfAbsent(first);
        assert.deepEqual(await store.putReuseIfAbsent(reuseRecord('key-1', 'run-2', { createdAt: at(300) })), first);
        assert.deepEqual(await store.getReuse('key-1'), first);
      });

      test('two concurrent puts with different runs end with one consistent record', async (store) => {
        const a = reuseRecord('key-race', 'run-a');
        const b = reuseRecord('key-race', 'run-b', { manifest: { other: true }, createdAt: at(101) });
        const [ra, rb] = await Promise.all([store.putReuseIfAbsent(a), store.putReuseIfAbsent(b)]);
        assert.deepEqual(ra, rb);
        const stored = await store.getReuse('key-race');
        assert.deepEqual(stored, ra);
        assert.ok(stored?.runId === 'run-a' || stored?.runId === 'run-b');
        assert.deepEqual(stored, stored.runId === 'run-a' ? a : b);
      });

      test('replaceReuse replaces only an entry that still names the stale run', async (store) => {
        const first = reuseRecord('key-1', 'run-1');
        await store.putReuseIfAbsent(first);
        await store.replaceReuse(reuseRecord('key-1', 'run-3'), 'run-2');
        assert.deepEqual(await store.getReuse('key-1'), first);
        const fresh = reuseRecord('key-1', 'run-3', { createdAt: at(400), manifest: { rebuilt: ['model'] } });
        await store.replaceReuse(fresh, 'run-1');
        assert.deepEqual(await store.getReuse('key-1'), fresh);
        await store.replaceReuse(reuseRecord('key-1', 'run-4'), 'run-1');
        assert.deepEqual(await store.getReuse('key-1'), fresh);
        await store.replaceReuse(reuseRecord('key-absent', 'run-5'), 'run-1');
        assert.equal(await store.getReuse('key-absent'), undefined);
      });

      test('listReuseForStep lists one step of one pipeline, newest first, up to limit', async (store) => {
        const entries = [3, 1, 4, 2].map((t) => reuseRecord(`key-${t}`, `run-${t}`, { createdAt: at(t) }));
        for (const e of entries) await store.putReuseIfAbsent(e);
        await store.putReuseIfAbsent(reuseRecord('key-eval', 'run-9', { step: 'eval', createdAt: at(9) }));
        await store.putReuseIfAbsent(reuseRecord('key-other', 'run-8', { pipelineName: 'other-pipeline', createdAt: at(8) }));
        const keys = async (limit: number): Promise<string[]> => (await store.listReuseForStep('train-pipeline', 'train', limit)).map((r) => r.key);
        assert.deepEqual(await keys(10), ['key-4', 'key-3', 'key-2', 'key-1']);
        assert.deepEqual(await keys(2), ['key-4', 'key-3']);
        assert.deepEqual((await store.listReuseForStep('train-pipeline', 'train', 1))[0], entries[2]);
        assert.deepEqual(await store.listReuseForStep('train-pipeline', 'no-such-step', 5), []);
      });
    });
  });
}
