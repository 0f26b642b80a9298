import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BlobDataPlane } from '../../shared/datastore/blob/blob-data-plane';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { openStore } from '../../shared/local/open-store';
import { attemptPaths, outputFolder } from '../../shared/workspace/workspace';
import { minimalRun, newStepRun } from '../store/run-store-contract';
import { startTestAzurite, type TestAzurite } from '../support/azurite';

let azurite: TestAzurite;
let scratch: string;
before(async () => {
  azurite = await startTestAzurite();
  scratch = mkdtempSync(path.join(os.tmpdir(), 'tributary-ds-cli-'));
});
after(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await azurite.stop();
});

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs one command module in its own process, as `tributary <command>` would (same error-to-exit-code rule). */
function tributary(command: 'datastore' | 'download', args: string[]): Promise<Result> {
  const module = path.resolve(__dirname, '../../cli/commands', `${command}.js`);
  const fn = `${command}Command`;
  const script = `require(${JSON.stringify(module)}).${fn}(process.argv.slice(1)).then((c) => { process.exitCode = c; }, (e) => { process.stderr.write('error: ' + e.message + '\\n'); process.exitCode = e.code === 'ValidationError' ? 2 : 1; })`;
  return new Promise((resolve) => {
    execFile(process.execPath, ['-e', script, ...args, '--workspace', azurite.workspace.root], { cwd: scratch }, (err, stdout, stderr) => {
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr });
    });
  });
}

describe('tributary datastore', () => {
  test('list shows the default datastore; register adds one; show tells where Azurite runs', async () => {
    const registered = await tributary('datastore', ['register', 'lake', '--container', 'lake-data', '--connection-string-env', 'LAKE_CS']);
    assert.equal(registered.code, 0, registered.stderr);
    assert.match(registered.stdout, /Registered datastore lake: container lake-data, auth connectionString/);
    const list = await tributary('datastore', ['list', '--json']);
    assert.deepEqual(
      JSON.parse(list.stdout).datastores.map((d: { name: string }) => d.name),
      ['workspaceblobstore', 'lake'],
    );
    const show = await tributary('datastore', ['show', 'workspaceblobstore']);
    assert.match(show.stdout, new RegExp(`Azurite +running on 127\\.0\\.0\\.1:${azurite.endpoint.port} \\(pid ${azurite.endpoint.pid}\\)`));
    const lake = await tributary('datastore', ['show', 'lake']);
    assert.match(lake.stdout, /Account +connection string from \$LAKE_CS/);
  });

  test('upload reports what it wrote and lists the blobs it kept', async () => {
    const data = path.join(scratch, 'data');
    mkdirSync(path.join(data, 'sub'), { recursive: true });
    writeFileSync(path.join(data, 'a.csv'), '1');
    writeFileSync(path.join(data, 'sub', 'b.csv'), '2');
    const first = await tributary('datastore', ['upload', 'data', '--target-path', 'cli/data']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /Uploaded 2 files \(2 B\) to azureml:\/\/datastores\/workspaceblobstore\/paths\/cli\/data/);
    writeFileSync(path.join(data, 'c.csv'), '3');
    const second = await tributary('datastore', ['upload', 'data', '--target-path', 'cli/data']);
    assert.match(second.stdout, /Uploaded 1 file \(1 B\)/);
    assert.match(second.stdout, /Kept 2 existing blobs \(use --overwrite to replace them\):\n {2}cli\/data\/a\.csv\n {2}cli\/data\/sub\/b\.csv\n/);
    const forced = await tributary('datastore', ['upload', 'data', '--target-path', 'cli/data', '--overwrite', '--json']);
    assert.equal(JSON.parse(forced.stdout).uploaded.length, 3);
  });

  test('bad target paths and missing flags exit 2 with a message naming the flag', async () => {
    const bad = await tributary('datastore', ['upload', 'data', '--target-path', '../escape']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /error: --target-path: path "\.\.\/escape" contains a "\." or "\.\." segment/);
    const owned = await tributary('datastore', ['upload', 'data', '--target-path', 'azureml/run-1/train/outputs/model', '--overwrite']);
    assert.equal(owned.code, 2);
    assert.match(owned.stderr, /error: --target-path: azureml\/run-1\/train\/outputs\/model is inside azureml\/, where Tributary keeps run outputs and logs/);
    const missing = await tributary('datastore', ['upload', 'data']);
    assert.match(missing.stderr, /--target-path is required/);
    const noContainer = await tributary('datastore', ['register', 'x']);
    assert.match(noContainer.stderr, /--container is required/);
  });
});

describe('tributary download', () => {
  before(async () => {
    const ws = azurite.workspace;
    const plane = new BlobDataPlane(ws);
    const store = openStore(ws);
    try {
      for (const runId of ['run-dl-1', 'run-dl-2']) await store.createRun(minimalRun(runId));
      const folder = outputFolder(ws, 'run-dl-1', 'train', 'model');
      mkdirSync(path.join(folder, 'weights'), { recursive: true });
      writeFileSync(path.join(folder, 'weights', 'w.bin'), 'weights');
      writeFileSync(path.join(folder, 'card.md'), '# model');
      const ctx = { runId: 'run-dl-1', step: 'train', attempt: 1, scratchDir: attemptPaths(ws, 'run-dl-1', 'train', 1).dataDir };
      const outputs = await plane.persistOutputs(ctx, { model: folder });
      const paths = attemptPaths(ws, 'run-dl-1', 'train', 1);
      mkdirSync(path.dirname(paths.stdout), { recursive: true });
      writeFileSync(paths.stdout, 'training...\n');
      writeFileSync(paths.metrics, '{"name":"accuracy","value":0.97}\n');
      await plane.persistAttemptArtifacts(ctx, paths);
      await plane.flush('run-dl-1', Object.values(outputs));
      await store.putStepRun(newStepRun('run-dl-1', 'train', { attempt: 1, reused: false, reusedFrom: undefined, outputs }));
      // run-dl-2 reused train: its record points at run-dl-1's output.
      await store.putStepRun(newStepRun('run-dl-2', 'train', { attempt: 0, reused: true, reusedFrom: { runId: 'run-dl-1', step: 'train' }, outputs }));
    } finally {
      await store.close();
    }
  });

  test('fetches outputs, logs and metrics into <to>/<runId>/<step>/', async () => {
    const r = await tributary('download', ['run-dl-1', '--to', 'out']);
    assert.equal(r.code, 0, r.stderr);
    const base = path.join(scratch, 'out', 'run-dl-1', 'train');
    assert.equal(readFileSync(path.join(base, 'outputs', 'model', 'weights', 'w.bin'), 'utf8'), 'weights');
    assert.equal(readFileSync(path.join(base, 'logs', 'attempt-1', 'stdout.log'), 'utf8'), 'training...\n');
    assert.match(readFileSync(path.join(base, 'logs', 'attempt-1', 'metrics.jsonl'), 'utf8'), /accuracy/);
    assert.match(r.stdout, /train +output model +2 +14 B +.*out\/run-dl-1\/train\/outputs\/model/);
    assert.match(r.stdout, /train +logs attempt-1 +2 /);
  });

  test('--output picks one output (no logs); a reused step downloads from the run that made it', async () => {
    const r = await tributary('download', ['run-dl-2', '--step', 'train', '--output', 'model', '--to', 'reused', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const items = JSON.parse(r.stdout).items as { kind: string; source: string }[];
    assert.deepEqual(items.map((i) => i.kind), ['output']);
    assert.equal(items[0]!.source, 'azureml://datastores/workspaceblobstore/paths/azureml/run-dl-1/train/outputs/model');
    assert.ok(existsSync(path.join(scratch, 'reused', 'run-dl-2', 'train', 'outputs', 'model', 'card.md')));
  });

  test('unknown runs, steps and outputs are named with what exists', async () => {
    assert.match((await tributary('download', ['nope'])).stderr, /run "nope" does not exist/);
    assert.match((await tributary('download', ['run-dl-1', '--step', 'eval'])).stderr, /run "run-dl-1" has no step "eval" \(steps: train\)/);
    assert.match((await tributary('download', ['run-dl-1', '--output', 'metrics'])).stderr, /no recorded output "metrics" \(recorded: model\)/);
    writeFileSync(path.join(scratch, 'a-file'), 'not a folder');
    for (const to of ['a-file', 'a-file/sub']) {
      const r = await tributary('download', ['run-dl-1', '--to', to]);
      assert.equal(r.code, 2, to);
      assert.match(r.stderr, /\nerror: --to a-file(\/sub)?: (is a file|.*a-file is a file); name a folder to download into\n$/, to);
    }
  });

  test('an output whose upload never completed is refused, not half-downloaded silently', async () => {
    const ds = await Datastore.get(azurite.workspace);
    await ds.container.getBlobClient('azureml/run-dl-1/train/outputs/model/_tributary_complete.json').delete();
    const r = await tributary('download', ['run-dl-1', '--to', 'broken']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /cannot download azureml:\/\/datastores\/workspaceblobstore\/paths\/azureml\/run-dl-1\/train\/outputs\/model: .*is incomplete/);
  });
});
