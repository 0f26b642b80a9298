/**
 * createStepReuse across processes: a step run decided by one driver and finished by another
 * (a resumed run, or Durable activities on different hosts) records the same key and leaves the
 * same explain entry as one that stayed in one process.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { LocalFolderDataPlane } from '../../shared/datastore/local-folder-data-plane';
import { entryOf, explainKey } from '../../shared/reuse/reuse-records';
import { createStepReuse, type StepReuse } from '../../shared/reuse/step-reuse';
import type { OutputRecord } from '../../shared/store/records';
import { SqliteRunStore } from '../../shared/store/sqlite/sqlite-run-store';
import { newRun } from '../store/run-store-contract';
import { stepDef } from './fixtures';

describe('createStepReuse: decide in one process, record in another', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tributary-step-reuse-'));
  const store = SqliteRunStore.open(path.join(dir, 'runs.db'));
  const data = new LocalFolderDataPlane();
  const def = stepDef({ codeDir: undefined, inputs: {}, command: 'echo 1 > ${{outputs.model}}/m' });
  const reuseIn = (): StepReuse => createStepReuse({
      store,
      data,
      completedStep: async (runId, step) => {
        const record = await store.getStepRun(runId, step);
        return record?.status === 'Completed' ? record : undefined;
      },
      snapshots: async () => undefined,
      now: () => new Date().toISOString(),
    });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function outputsOf(runId: string): Promise<Record<string, OutputRecord>> {
    const folder = path.join(dir, runId, 'model');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'm'), '1\n');
    return data.persistOutputs({ runId, step: def.name, attempt: 1, scratchDir: dir }, { model: folder });
  }

  let key: string | undefined;

  it('a step run decided by one process and recorded by another is reused by the next run', async () => {
    const first = await store.createRun(newRun('run-first'));
    assert.deepEqual(await reuseIn().decide(first, def), { run: { why: 'no-match' } });
    key = await reuseIn().record(first, def, await outputsOf(first.id), undefined);
    assert.ok(key);
    const explain = entryOf(await store.getReuse(explainKey(first.id, def.name)));
    assert.equal(explain?.kind === 'step-explain' && explain.reason.why, 'no-match');

    const next = await reuseIn().decide(await store.createRun(newRun('run-next')), def);
    assert.ok('reuse' in next);
    assert.deepEqual([next.reuse.key, next.reuse.runId], [key, first.id]);
  });

  it('one process deciding and recording records under the same key', async () => {
    const run = await store.createRun(newRun('run-regenerated', { options: { regenerateOutputs: true, computeMap: {}, source: 'cli' } }));
    const reuse = reuseIn();
    assert.deepEqual(await reuse.decide(run, def), { run: { why: 'regenerate' } });
    assert.equal(await reuse.record(run, def, await outputsOf(run.id), undefined), key);
    assert.equal((await store.getReuse(key!))?.runId, run.id, 'a regenerated result replaces the earlier one');
  });
});
