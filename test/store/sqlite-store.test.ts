import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, before, describe, it } from 'node:test';
import { setImmediate as tick } from 'node:timers/promises';
import { ConflictError, TransientError, ValidationError } from '../../shared/errors';
import type { RunStore } from '../../shared/store/run-store';
import { RUN_STORE_SCHEMA, SCHEMA_VERSION } from '../../shared/store/sqlite/schema';
import { SqliteRunStore } from '../../shared/store/sqlite/sqlite-run-store';
import { at, definition, describeRunStoreContract, minimalRun, newRun, newStepRun, reuseRecord } from './run-store-contract';

const tempDir = (): Promise<string> => mkdtemp(join(tmpdir(), 'tributary-sqlite-'));

describeRunStoreContract('SqliteRunStore', async () => {
  const dir = await tempDir();
  return { store: SqliteRunStore.open(join(dir, 'ws', '.tributary', 'runs.db')), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

/** Compiled modules, for scripts run in a child process. */
const STORE_MODULE = join(__dirname, '..', '..', 'shared', 'store', 'sqlite', 'sqlite-run-store.js');
const ERRORS_MODULE = join(__dirname, '..', '..', 'shared', 'errors.js');

/** Increments `parameters.counter` of a run, re-reading and retrying on ConflictError. Returns the conflicts met. */
async function increment(store: RunStore, runId: string): Promise<number> {
  for (let conflicts = 0; ; conflicts++) {
    const run = await store.getRun(runId);
    assert.ok(run, `run ${runId} exists`);
    await tick(); // give the other writer the chance to move the version
    try {
      await store.updateRun(runId, run.version, { parameters: { counter: Number(run.parameters['counter']) + 1 } });
      return conflicts;
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err;
    }
  }
}

interface Child {
  process: ChildProcessWithoutNullStreams;
  /** Resolves with the first stdout chunk that contains `text`. */
  waitFor(text: string): Promise<void>;
  exited: Promise<{ code: number | null; stderr: string }>;
}

async function runChild(dir: string, name: string, source: string): Promise<Child> {
  const script = join(dir, `${name}.js`);
  await writeFile(script, source);
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', script], { stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  const waiters: { text: string; resolve: () => void }[] = [];
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    for (const w of waiters.filter((w) => stdout.includes(w.text))) w.resolve();
  });
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return {
    process: child,
    waitFor: (text) =>
      stdout.includes(text)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            waiters.push({ text, resolve });
            void exited.then((e) => reject(new Error(`child ${name} exited (${e.code}) before printing "${text}": ${e.stderr}`)));
          }),
    exited,
  };
}

describe('SqliteRunStore (SQLite specifics)', () => {
  let dir: string;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates parent folders and keeps the database and its WAL file at mode 0600', async () => {
    const path = join(dir, 'mode', 'a', 'b', 'runs.db');
    const store = SqliteRunStore.open(path);
    await store.createRun(minimalRun('run-1'));
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.ok(existsSync(`${path}-wal`), 'WAL mode keeps a -wal file while open');
    assert.equal(statSync(`${path}-wal`).mode & 0o777, 0o600);
    await store.close();
    await store.close(); // closing twice is harmless
  });

  it('sets WAL mode and records the schema version in user_version', async () => {
    const path = join(dir, 'pragmas.db');
    await SqliteRunStore.open(path).close();
    const raw = new DatabaseSync(path);
    assert.equal(raw.prepare('PRAGMA journal_mode').get()?.['journal_mode'], 'wal');
    assert.equal(raw.prepare('PRAGMA user_version').get()?.['user_version'], SCHEMA_VERSION);
    raw.close();
  });

  it('refuses a database written by a newer Tributary, naming the file', async () => {
    const path = join(dir, 'newer.db');
    const raw = new DatabaseSync(path);
    raw.exec(`PRAGMA user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    assert.throws(() => SqliteRunStore.open(path), (err: unknown) => err instanceof ValidationError && err.message.includes(path) && /upgrade/.test(err.message));
  });

  it('names the file and what to do when it is not a database or cannot be opened', async () => {
    const garbage = join(dir, 'garbage.db');
    await writeFile(garbage, Buffer.alloc(4096, 0x5a));
    assert.throws(() => SqliteRunStore.open(garbage), {
      name: 'ValidationError',
      message: `${garbage} is not a run store database (file is not a database); move it aside (mv ${garbage} ${garbage}.broken) to start a new one`,
    });
    const blocked = join(dir, 'garbage.db', 'inside', 'runs.db'); // a file where a folder is needed
    assert.throws(() => SqliteRunStore.open(blocked), (err: unknown) =>
      err instanceof ValidationError && err.message.startsWith(`cannot open the run store ${blocked} (`) && err.message.endsWith('its folder must exist and be writable (or point --workspace or TRIBUTARY_WORKSPACE elsewhere)'));
  });

  it('moves the definitions of a schema-1 database into their own table, keeping every run as it was', async () => {
    const path = join(dir, 'schema-1.db');
    const raw = new DatabaseSync(path);
    raw.exec(RUN_STORE_SCHEMA.migrations[0]!);
    raw.exec('PRAGMA user_version = 1');
    const run = newRun('run-v1');
    raw.prepare(`INSERT INTO runs (id, experiment, pipeline_name, published_pipeline_id, status, status_reason, definition, parameters,
      options, git, created_at, started_at, ended_at, driver, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 3)`).run(
      run.id, run.experiment, run.pipelineName, run.publishedPipelineId!, run.status, run.statusReason!, JSON.stringify(run.definition),
      JSON.stringify(run.parameters), JSON.stringify(run.options), JSON.stringify(run.git), run.createdAt, run.startedAt!, run.endedAt!,
      JSON.stringify(run.driver),
    );
    raw.close();
    const store = SqliteRunStore.open(path);
    assert.deepEqual(await store.getRun('run-v1'), { ...run, version: 3 });
    assert.deepEqual((await store.listRuns()).items, [{ ...run, version: 3 }]);
    await store.close();
  });

  it('keeps everything across close and reopen', async () => {
    const path = join(dir, 'reopen.db');
    const first = SqliteRunStore.open(path);
    const run = await first.createRun(newRun('run-1'));
    const step = await first.putStepRun(newStepRun('run-1', 'train'));
    const metric = { runId: 'run-1', step: 'train', name: 'loss', value: 0.5, index: 0, loggedAt: at(3) };
    await first.addMetrics([metric]);
    const reuse = await first.putReuseIfAbsent(reuseRecord('key-1', 'run-1'));
    await first.close();

    const second = SqliteRunStore.open(path);
    assert.deepEqual(await second.getRun('run-1'), run);
    assert.deepEqual(await second.listStepRuns('run-1'), [step]);
    assert.deepEqual(await second.listMetrics('run-1'), [metric]);
    assert.deepEqual(await second.getReuse('key-1'), reuse);
    assert.deepEqual(await second.listExperiments(), [{ name: 'exp-a', createdAt: at(0), runCount: 1 }]);
    await second.close();
  });

  it('lists step runs in the order they were first stored, and metrics in the order added', async () => {
    const store = SqliteRunStore.open(join(dir, 'order.db'));
    for (const s of ['zeta', 'alpha', 'mid']) await store.putStepRun(newStepRun('run-1', s));
    await store.putStepRun(newStepRun('run-1', 'zeta', { status: 'Failed' }), 1);
    assert.deepEqual((await store.listStepRuns('run-1')).map((s) => s.step), ['zeta', 'alpha', 'mid']);
    const values = [3, 1, 2].map((value, i) => ({ runId: 'run-1', step: 'train', name: 'loss', value, loggedAt: at(i) }));
    await store.addMetrics(values);
    assert.deepEqual((await store.listMetrics('run-1', 'train')).map((m) => m.value), [3, 1, 2]);
    await store.close();
  });

  it('round-trips a NaN metric value', async () => {
    const store = SqliteRunStore.open(join(dir, 'nan.db'));
    await store.addMetrics([{ runId: 'run-1', step: 'train', name: 'loss', value: Number.NaN, loggedAt: at(0) }]);
    assert.ok(Number.isNaN((await store.listMetrics('run-1'))[0]?.value));
    await store.close();
  });

  it('moves a run between experiment counts when an update changes its experiment', async () => {
    const store = SqliteRunStore.open(join(dir, 'move.db'));
    await store.createRun(minimalRun('run-1'));
    await store.createRun(minimalRun('run-2'));
    await store.updateRun('run-2', 1, { experiment: 'exp-b' });
    assert.deepEqual(await store.listExperiments(), [
      { name: 'exp-a', createdAt: at(0), runCount: 1 },
      { name: 'exp-b', createdAt: at(0), runCount: 1 },
    ]);
    await store.close();
  });

  it('refuses a patch that clears a required field, naming it', async () => {
    const store = SqliteRunStore.open(join(dir, 'required.db'));
    await store.createRun(minimalRun('run-1'));
    await assert.rejects(store.updateRun('run-1', 1, { status: undefined }), (err: unknown) => err instanceof ValidationError && err.target === 'status');
    assert.equal((await store.getRun('run-1'))?.version, 1);
    await store.close();
  });

  it('two stores on one file (two CLIs): a stale write is a ConflictError and no increment is lost', async () => {
    const path = join(dir, 'two-clis.db');
    const cliA = SqliteRunStore.open(path);
    const cliB = SqliteRunStore.open(path);
    await cliA.createRun(newRun('run-1', { parameters: { counter: 0 } }));
    const seenByB = await cliB.getRun('run-1');
    assert.ok(seenByB);
    await cliA.updateRun('run-1', 1, { status: 'Completed' });
    await assert.rejects(cliB.updateRun('run-1', seenByB.version, { status: 'Canceled' }), ConflictError);
    assert.equal((await cliA.getRun('run-1'))?.status, 'Completed');

    const workers = [cliA, cliA, cliB, cliB].map(async (store) => {
      let conflicts = 0;
      for (let i = 0; i < 10; i++) conflicts += await increment(store, 'run-1');
      return conflicts;
    });
    const conflicts = (await Promise.all(workers)).reduce((a, b) => a + b, 0);
    assert.ok(conflicts > 0, 'the workers raced');
    assert.equal((await cliB.getRun('run-1'))?.parameters['counter'], 40);

    await cliA.putStepRun(newStepRun('run-1', 'train'));
    await assert.rejects(cliB.putStepRun(newStepRun('run-1', 'train')), ConflictError);
    await cliA.close();
    await cliB.close();
  });

  it('a definition rewritten through another store on the same file is what the next read returns', async () => {
    const path = join(dir, 'definition-rev.db');
    const reader = SqliteRunStore.open(path);
    const writer = SqliteRunStore.open(path);
    await writer.createRun(newRun('run-def'));
    const first = await reader.getRun('run-def');
    assert.equal(first?.definition.name, 'train-pipeline');
    assert.equal((await reader.getRun('run-def'))?.definition, first?.definition, 'unchanged: the parsed definition is kept');
    await writer.updateRun('run-def', 1, { definition: definition('renamed-pipeline') });
    assert.equal((await reader.getRun('run-def'))?.definition.name, 'renamed-pipeline');
    await writer.updateRun('run-def', 2, { status: 'Completed' });
    const after = await reader.getRun('run-def');
    assert.deepEqual([after?.status, after?.definition.name], ['Completed', 'renamed-pipeline']);
    await reader.close();
    await writer.close();
  });

  it('a lock held past busy_timeout is a TransientError; reads go on meanwhile', async () => {
    const path = join(dir, 'busy.db');
    const store = SqliteRunStore.open(path, { busyTimeoutMs: 50 });
    await store.createRun(minimalRun('run-1'));
    const other = new DatabaseSync(path);
    other.exec('BEGIN IMMEDIATE');
    try {
      await assert.rejects(store.createRun(minimalRun('run-2')), (err: unknown) => err instanceof TransientError && err.retryable && err.message.includes(path));
      await assert.rejects(store.putStepRun(newStepRun('run-1', 'train')), TransientError);
      assert.equal((await store.getRun('run-1'))?.id, 'run-1');
    } finally {
      other.exec('COMMIT');
      other.close();
    }
    await store.createRun(minimalRun('run-2'));
    assert.equal((await store.listRuns()).items.length, 2);
    await store.close();
  });

  it('a write waits (busy_timeout) for another process that holds the lock, then succeeds', { timeout: 60_000 }, async () => {
    const path = join(dir, 'wait.db');
    const store = SqliteRunStore.open(path);
    const holder = await runChild(dir, 'holder', `
      const { DatabaseSync } = require('node:sqlite');
      const db = new DatabaseSync(${JSON.stringify(path)});
      db.exec('BEGIN IMMEDIATE');
      db.prepare("INSERT INTO experiments (name, created_at, run_count) VALUES ('held', '', 0)").run();
      process.stdout.write('locked\\n');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 300);
      db.exec('COMMIT');
      db.close();
    `);
    await holder.waitFor('locked');
    await store.createRun(minimalRun('run-1'));
    assert.equal((await holder.exited).code, 0);
    assert.deepEqual((await store.listExperiments()).map((e) => e.name), ['exp-a', 'held']);
    await store.close();
  });

  it('a child process writing while the parent reads and writes keeps the database consistent', { timeout: 120_000 }, async () => {
    const path = join(dir, 'child.db');
    const store = SqliteRunStore.open(path);
    await store.createRun(newRun('shared', { experiment: 'shared', parameters: { counter: 0 } }));
    const runs = 150;
    const template = minimalRun('template');
    const child = await runChild(dir, 'writer', `
      const { SqliteRunStore } = require(${JSON.stringify(STORE_MODULE)});
      const { ConflictError } = require(${JSON.stringify(ERRORS_MODULE)});
      const template = ${JSON.stringify(template)};
      (async () => {
        const store = SqliteRunStore.open(${JSON.stringify(path)});
        process.stdout.write('ready\\n');
        for (let i = 0; i < ${runs}; i++) {
          const id = 'child-' + String(i).padStart(4, '0');
          await store.createRun({ ...template, id, experiment: 'child', createdAt: new Date(Date.UTC(2025, 0, 1) + i * 1000).toISOString() });
          for (const step of ['a', 'b', 'c']) {
            const s = await store.putStepRun({ runId: id, step, status: 'Running', attempt: 1, compute: 'local', reused: false, outputs: {} });
            await store.putStepRun({ runId: id, step, status: 'Completed', attempt: 1, compute: 'local', reused: false, outputs: { out: { uri: '/o/' + step, fingerprint: 'f' } } }, s.version);
          }
          await store.addMetrics([{ runId: id, step: 'a', name: 'i', value: i, loggedAt: template.createdAt }]);
          for (;;) {
            const shared = await store.getRun('shared');
            await new Promise((r) => setImmediate(r));
            try { await store.updateRun('shared', shared.version, { parameters: { counter: shared.parameters.counter + 1 } }); break; }
            catch (err) { if (!(err instanceof ConflictError)) throw err; }
          }
        }
        await store.close();
      })().catch((err) => { console.error(err); process.exit(1); });
    `);
    await child.waitFor('ready');

    // A second, raw reader checks that each snapshot is consistent: createRun counts the run
    // into its experiment in the same transaction.
    const reader = new DatabaseSync(path, { readOnly: true });
    let done = false;
    void child.exited.then(() => (done = true));
    let snapshots = 0;
    let midway = 0;
    let parentIncrements = 0;
    while (!done) {
      reader.exec('BEGIN');
      const count = reader.prepare("SELECT count(*) AS n FROM runs WHERE experiment = 'child'").get()?.['n'];
      const counted = reader.prepare("SELECT run_count FROM experiments WHERE name = 'child'").get()?.['run_count'] ?? 0;
      reader.exec('COMMIT');
      assert.equal(counted, count, 'experiment run_count matches the runs in one snapshot');
      if (typeof count === 'number' && count > 0 && count < runs) midway++;
      snapshots++;

      const page = await store.listRuns({ experiment: 'child', limit: 500 });
      assert.equal(new Set(page.items.map((r) => r.id)).size, page.items.length);
      await increment(store, 'shared');
      parentIncrements++;
      await tick();
    }
    reader.close();
    const { code, stderr } = await child.exited;
    assert.equal(code, 0, stderr);
    assert.ok(snapshots > 0 && midway > 0, `the parent read while the child wrote (${midway} of ${snapshots} snapshots mid-way)`);

    const all = await store.listRuns({ experiment: 'child', limit: 500 });
    assert.equal(all.items.length, runs);
    for (const run of all.items.slice(0, 10)) {
      const steps = await store.listStepRuns(run.id);
      assert.deepEqual(steps.map((s) => [s.step, s.status, s.version]), [['a', 'Completed', 2], ['b', 'Completed', 2], ['c', 'Completed', 2]]);
    }
    assert.equal((await store.getRun('shared'))?.parameters['counter'], runs + parentIncrements);
    assert.deepEqual((await store.listExperiments()).find((e) => e.name === 'child')?.runCount, runs);
    const check = new DatabaseSync(path);
    assert.equal(check.prepare('PRAGMA integrity_check').get()?.['integrity_check'], 'ok');
    check.close();
    await store.close();
  });
});
