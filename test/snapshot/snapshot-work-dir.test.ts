import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { PipelineDefinition, StepDefinition } from '../../shared/model/definition';
import { LocalContentStore } from '../../shared/snapshot/content-store';
import { takeSnapshot, type SnapshotDeps } from '../../shared/snapshot/snapshot';
import { snapshotPipelineSources, SnapshotWorkDir } from '../../shared/snapshot/snapshot-work-dir';
import { StatCache } from '../../shared/snapshot/stat-cache';
import { CountingStore, tempDir, writeTree } from './helpers';

/** Relative paths of all files under `root`, sorted. */
async function listTree(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

function step(name: string, codeDir?: string): StepDefinition {
  return {
    name,
    kind: 'command',
    command: 'python main.py',
    ...(codeDir ? { codeDir } : {}),
    compute: 'local',
    inputs: {},
    outputs: {},
    environmentVariables: {},
    allowReuse: true,
    retry: { maxAttempts: 1, initialDelaySeconds: 0 },
    origin: `pipeline.yml:${name}`,
  };
}

function pipeline(steps: StepDefinition[]): PipelineDefinition {
  return {
    schemaVersion: 1,
    name: 'p',
    continueOnStepFailure: false,
    inputs: {},
    outputs: {},
    steps: Object.fromEntries(steps.map((s) => [s.name, s])),
    source: 'pipeline.yml',
  };
}

describe('SnapshotWorkDir and snapshotPipelineSources', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let src: string;
  let local: LocalContentStore;
  let store: CountingStore;
  let deps: SnapshotDeps;

  beforeEach(async () => {
    tmp = await tempDir('work-dir');
    src = path.join(tmp.dir, 'src');
    await writeTree(src, { '.amlignore': 'data/\n', 'main.py': 'print("v1")', 'lib/helper.py': 'H = 1', 'data/huge.csv': '1,2' });
    local = new LocalContentStore(path.join(tmp.dir, 'snapshots'));
    store = new CountingStore(local);
    deps = { store, cache: new StatCache(path.join(tmp.dir, 'stat-cache')), warn: () => assert.fail('no warning expected') };
  });
  afterEach(() => tmp.cleanup());

  it('snapshots each distinct source folder once and maps every step to its id', async () => {
    const other = path.join(tmp.dir, 'other');
    await writeTree(other, { 'x.py': 'x' });
    const def = pipeline([step('prep', src), step('train', `${src}/`), step('score', other), step('notify')]);
    const ids = await snapshotPipelineSources(def, deps);
    assert.deepEqual(Object.keys(ids), ['prep', 'train', 'score']);
    assert.equal(ids.prep, ids.train);
    assert.notEqual(ids.prep, ids.score);
    assert.equal(store.manifestPuts, 2);
  });

  it('names the step when its source folder cannot be snapshotted', async () => {
    const def = pipeline([step('train', path.join(tmp.dir, 'missing'))]);
    await assert.rejects(snapshotPipelineSources(def, deps), {
      code: 'ValidationError',
      message: /^pipeline\.yml:train: step "train": source folder .*missing does not exist$/,
    });
  });

  it('materialises exactly the manifest, with modes, into a writable folder', async () => {
    const { id, manifest } = await takeSnapshot(src, deps);
    const workDir = path.join(tmp.dir, 'attempt-1', 'work');
    await new SnapshotWorkDir({ store, snapshotIdOf: async () => id }).prepare(src, workDir, { runId: 'r1', step: 'train' });
    assert.deepEqual(await listTree(workDir), manifest.files.map((f) => f.path));
    assert.deepEqual(await listTree(workDir), ['.amlignore', 'lib/helper.py', 'main.py']);
    assert.equal((await stat(path.join(workDir, 'main.py'))).mode & 0o777, 0o644);
    // The step may change its copy; the store (and the next attempt) must not see it.
    await writeFile(path.join(workDir, 'main.py'), 'changed by the step');
    const next = path.join(tmp.dir, 'attempt-2', 'work');
    await new SnapshotWorkDir({ store, snapshotIdOf: async () => id }).prepare(src, next, { runId: 'r1', step: 'train' });
    assert.equal(await readFile(path.join(next, 'main.py'), 'utf8'), 'print("v1")');
  });

  it('gives the step what was snapshotted, whatever happens to the source afterwards', async () => {
    const ids = await snapshotPipelineSources(pipeline([step('train', src)]), deps);
    await writeFile(path.join(src, 'main.py'), 'print("v2 edited during the run")');
    await writeFile(path.join(src, 'lib/new.py'), 'added during the run');
    const workDir = path.join(tmp.dir, 'work');
    await new SnapshotWorkDir({ store, snapshotIdOf: async ({ step: s }) => ids[s] }).prepare(src, workDir, { runId: 'r1', step: 'train' });
    assert.equal(await readFile(path.join(workDir, 'main.py'), 'utf8'), 'print("v1")');
    assert.deepEqual(await listTree(workDir), ['.amlignore', 'lib/helper.py', 'main.py']);
  });

  it('creates an empty folder for a step without a source folder', async () => {
    const workDir = path.join(tmp.dir, 'work');
    await new SnapshotWorkDir({ store, snapshotIdOf: async () => assert.fail('not asked') }).prepare(undefined, workDir, { runId: 'r1', step: 's' });
    assert.deepEqual(await readdir(workDir), []);
  });

  it('fails clearly when no snapshot was recorded, or the store lost it', async () => {
    const workDir = path.join(tmp.dir, 'work');
    const none = new SnapshotWorkDir({ store, snapshotIdOf: async () => undefined });
    await assert.rejects(none.prepare(src, workDir, { runId: 'r1', step: 'train' }), {
      code: 'ValidationError',
      message: /step "train" of run r1 has source folder .* but no snapshot was recorded when it was submitted/,
    });
    const lost = new SnapshotWorkDir({ store, snapshotIdOf: async () => 'a'.repeat(64) });
    await assert.rejects(lost.prepare(src, workDir, { runId: 'r1', step: 'train' }), { code: 'NotFound', message: /snapshot a{64} is not in the snapshot store/ });
    const { id, manifest } = await takeSnapshot(src, deps);
    const helper = manifest.files.find((f) => f.path === 'lib/helper.py')!;
    await rm(local.objectPath(helper.sha256));
    const broken = new SnapshotWorkDir({ store, snapshotIdOf: async () => id });
    await assert.rejects(broken.prepare(src, path.join(tmp.dir, 'work2'), { runId: 'r1', step: 'train' }), {
      code: 'NotFound',
      message: new RegExp(`snapshot ${id}: content of lib/helper.py \\(${helper.sha256}\\) is missing from the snapshot store`),
    });
  });
});
