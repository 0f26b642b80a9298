import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { BlobStepLogs } from '../../shared/api/logs/blob-step-logs';
import { ValidationError } from '../../shared/errors';
import type { StepDataContext } from '../../shared/datastore/data-plane';
import { fingerprintFolder } from '../../shared/datastore/fingerprint';
import { LocalFolderDataPlane } from '../../shared/datastore/local-folder-data-plane';
import { BlobDataPlane } from '../../shared/datastore/blob/blob-data-plane';
import { commitUpload } from '../../shared/datastore/blob/commit-upload';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { hashLocalTree } from '../../shared/datastore/blob/hashed-tree';
import { uploadLocalInput } from '../../shared/datastore/blob/local-inputs';
import { readManifest } from '../../shared/datastore/blob/manifest';
import { attemptPaths, outputFolder, type AttemptPaths, type Workspace } from '../../shared/workspace/workspace';
import { startTestAzurite, tempWorkspace, type TestAzurite } from '../support/azurite';

let azurite: TestAzurite;
let ws: Workspace;
let ds: Datastore;
let plane: BlobDataPlane;
/** A second workspace — "another machine" — pointed at the same storage by a connection string. */
let remoteWs: Workspace;
let remote: BlobDataPlane;

before(async () => {
  azurite = await startTestAzurite();
  ws = azurite.workspace;
  ds = await Datastore.get(ws);
  plane = new BlobDataPlane(ws);
  remoteWs = tempWorkspace('tributary-remote-');
  process.env.TRIBUTARY_TEST_STORAGE = azurite.endpoint.connectionString;
  await Datastore.register(remoteWs, { name: 'workspaceblobstore', container: 'azureml-blobstore', connectionStringEnv: 'TRIBUTARY_TEST_STORAGE' });
  remote = new BlobDataPlane(remoteWs);
});
after(async () => {
  await plane.close().catch(() => undefined);
  await remote.close().catch(() => undefined);
  rmSync(remoteWs.root, { recursive: true, force: true });
  await azurite.stop();
});

const ctx = (runId: string, step: string, attempt = 1, workspace = ws): StepDataContext => ({ runId, step, attempt, scratchDir: attemptPaths(workspace, runId, step, attempt).dataDir });
const uri = (p: string) => `azureml://datastores/workspaceblobstore/paths/${p}`;

function localTree(root: string, files: Record<string, string | Buffer>): string {
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

/** Writes a step's output folder where the step would, as collectOutputs hands it to the plane. */
function stepOutput(runId: string, step: string, name: string, files: Record<string, string | Buffer>): string {
  const folder = outputFolder(ws, runId, step, name);
  rmSync(folder, { recursive: true, force: true });
  return localTree(folder, files);
}

describe('BlobDataPlane: datastore inputs', () => {
  before(async () => {
    const src = localTree(path.join(ws.root, 'src-inputs'), { 'iris.csv': 'sepal,petal\n1,2\n', 'images/a.png': 'A', 'images/sub/b.png': 'B' });
    await ds.uploadFiles([path.join(src, 'iris.csv')], { targetPath: 'refs' });
    await ds.uploadFiles([path.join(src, 'images')], { targetPath: 'refs/images' });
  });

  test('a uri_file reference is downloaded into the attempt folder and read from there', async () => {
    const c = ctx('run-in', 'prep');
    const local = await plane.resolveInput({ name: 'data', type: 'uri_file', uri: uri('refs/iris.csv') }, c);
    assert.equal(local, path.join(c.scratchDir, 'inputs', 'data', 'iris.csv'));
    assert.equal(readFileSync(local, 'utf8'), 'sepal,petal\n1,2\n');
  });

  test('a uri_folder reference is downloaded recursively', async () => {
    const c = ctx('run-in', 'prep');
    const local = await plane.resolveInput({ name: 'images', type: 'uri_folder', uri: uri('refs/images/') }, c);
    assert.equal(local, path.join(c.scratchDir, 'inputs', 'images'));
    assert.equal(readFileSync(path.join(local, 'sub', 'b.png'), 'utf8'), 'B');
  });

  test('a blob is downloaded once per version: later uses link the cached copy; a new version is fetched', async () => {
    const first = await plane.resolveInput({ name: 'data', type: 'uri_file', uri: uri('refs/iris.csv') }, ctx('run-c1', 's'));
    const second = await plane.resolveInput({ name: 'data', type: 'uri_file', uri: uri('refs/iris.csv') }, ctx('run-c2', 's'));
    assert.equal(statSync(second).ino, statSync(first).ino);
    const v2 = localTree(path.join(ws.root, 'src-v2'), { 'iris.csv': 'version 2' });
    await ds.uploadFiles([path.join(v2, 'iris.csv')], { targetPath: 'refs', overwrite: true });
    const third = await plane.resolveInput({ name: 'data', type: 'uri_file', uri: uri('refs/iris.csv') }, ctx('run-c3', 's'));
    assert.equal(readFileSync(third, 'utf8'), 'version 2');
    assert.notEqual(statSync(third).ino, statSync(first).ino);
  });

  test('a missing blob fails with a ValidationError naming the input and the path', async () => {
    await assert.rejects(plane.resolveInput({ name: 'data', type: 'uri_file', uri: uri('refs/nope.csv') }, ctx('run-m', 's')), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.equal(err.message, 'inputs.data: azureml://datastores/workspaceblobstore/paths/refs/nope.csv does not exist (no blob "refs/nope.csv" in datastore workspaceblobstore)');
      return true;
    });
    await assert.rejects(plane.resolveInput({ name: 'imgs', type: 'uri_folder', uri: uri('refs/none') }, ctx('run-m', 's')), /inputs\.imgs: .*refs\/none does not exist \(no blobs under "refs\/none\/"/);
  });

  test('a folder declared as uri_file (and a file as uri_folder) says which type to declare', async () => {
    await assert.rejects(plane.resolveInput({ name: 'd', type: 'uri_file', uri: uri('refs/images') }, ctx('run-m', 's')), /declare the input as uri_folder/);
    await assert.rejects(plane.resolveInput({ name: 'd', type: 'uri_folder', uri: uri('refs/iris.csv') }, ctx('run-m', 's')), /declare the input as uri_file/);
  });

  test('unknown datastores and bad paths fail naming the input', async () => {
    await assert.rejects(
      plane.resolveInput({ name: 'd', type: 'uri_file', uri: 'azureml://datastores/nope/paths/x' }, ctx('run-m', 's')),
      (err: unknown) => err instanceof ValidationError && /^inputs\.d: datastore "nope" is not registered/.test(err.message),
    );
    await assert.rejects(plane.resolveInput({ name: 'd', type: 'uri_file', uri: uri('a/../../etc/passwd') }, ctx('run-m', 's')), /inputs\.d: path "a\/\.\.\/\.\.\/etc\/passwd" contains a "\." or "\.\." segment/);
  });
});

describe('BlobDataPlane: local-path inputs', () => {
  test('the step reads the local path; the data is uploaded once, content-addressed', async () => {
    const folder = localTree(path.join(ws.root, 'local-data'), { 'x.csv': 'x\n1\n', 'more/y.csv': 'y\n2\n' });
    assert.equal(await plane.resolveInput({ name: 'data', type: 'uri_folder', uri: folder }, ctx('run-l1', 's')), folder);
    await plane.flush('run-l1');
    const direct = await uploadLocalInput(ds, folder, 'inputs.data');
    assert.equal(direct.uploaded, false, 'already committed by the first submit');
    assert.match(direct.uri, /^azureml:\/\/datastores\/workspaceblobstore\/paths\/LocalUpload\/[0-9a-f]{64}\/local-data$/);
    const prefix = direct.uri.slice(uri('').length, -'/local-data'.length);
    const manifestEtag = (await ds.container.getBlobClient(`${prefix}/_tributary_complete.json`).getProperties()).etag;
    await plane.resolveInput({ name: 'data', type: 'uri_folder', uri: folder }, ctx('run-l2', 's'));
    await plane.flush('run-l2');
    assert.equal((await ds.container.getBlobClient(`${prefix}/_tributary_complete.json`).getProperties()).etag, manifestEtag, 'second submit uploaded nothing');
    assert.deepEqual((await readManifest(ds.container, prefix))?.files.map((f) => f.path), ['local-data/more/y.csv', 'local-data/x.csv']);
  });

  test('changed content gets a new address; the same content under another name too', async () => {
    const file = localTree(path.join(ws.root, 'one'), { 'a.txt': 'alpha' });
    const first = await uploadLocalInput(ds, path.join(file, 'a.txt'), 'inputs.a');
    assert.equal(first.uploaded, true);
    assert.equal((await uploadLocalInput(ds, path.join(file, 'a.txt'), 'inputs.a')).uploaded, false);
    writeFileSync(path.join(file, 'a.txt'), 'beta');
    const changed = await uploadLocalInput(ds, path.join(file, 'a.txt'), 'inputs.a');
    assert.equal(changed.uploaded, true);
    assert.notEqual(changed.uri, first.uri);
    writeFileSync(path.join(file, 'b.txt'), 'alpha');
    const renamed = await uploadLocalInput(ds, path.join(file, 'b.txt'), 'inputs.a');
    assert.equal(renamed.uploaded, true);
    assert.match(renamed.uri, /\/b\.txt$/);
  });

  test('a missing local path fails before the step starts, naming the input', async () => {
    await assert.rejects(plane.resolveInput({ name: 'data', type: 'uri_file', uri: '/no/such/file.csv' }, ctx('run-l3', 's')), (err: unknown) => err instanceof ValidationError && err.message === 'inputs.data: /no/such/file.csv does not exist');
  });
});

describe('BlobDataPlane: outputs', () => {
  test('outputs land at a stable path with a manifest; the record carries URI and fingerprint', async () => {
    const folder = stepOutput('run-o1', 'train', 'model', { 'model.pkl': 'weights', 'eval/metrics.json': '{"acc":1}' });
    const records = await plane.persistOutputs(ctx('run-o1', 'train'), { model: folder });
    assert.deepEqual(records, { model: { uri: uri('azureml/run-o1/train/outputs/model'), fingerprint: (await fingerprintFolder(folder, 'model')).fingerprint } });
    await plane.flush('run-o1', Object.values(records));
    const manifest = await readManifest(ds.container, 'azureml/run-o1/train/outputs/model');
    assert.deepEqual(manifest?.files.map((f) => [f.path, f.size]), [['eval/metrics.json', 9], ['model.pkl', 7]]);
    assert.equal(manifest?.fingerprint, records.model!.fingerprint);
    assert.equal((await ds.container.getBlobClient('azureml/run-o1/train/outputs/model/model.pkl').downloadToBuffer()).toString(), 'weights');
    assert.equal(await plane.outputsExist(records), true);
    assert.equal(await remote.outputsExist(records), true);
    assert.equal(await plane.outputsExist({ model: { ...records.model!, fingerprint: 'f'.repeat(64) } }), false);
  });

  test('a consumer on the same machine reads the producer folder directly, before the upload is done', async () => {
    const folder = stepOutput('run-o2', 'prep', 'clean', { 'big.bin': Buffer.alloc(20 * 1024 * 1024, 1) });
    const records = await plane.persistOutputs(ctx('run-o2', 'prep'), { clean: folder });
    assert.equal(await plane.resolveUpstreamOutput(records.clean!, ctx('run-o2', 'train')), folder);
    await plane.flush('run-o2');
    assert.ok(await readManifest(ds.container, 'azureml/run-o2/prep/outputs/clean'));
  });

  test('a consumer elsewhere (or after the local folder changed) reads the committed copy', async () => {
    const folder = stepOutput('run-o3', 'prep', 'clean', { 'a.csv': 'original', 'sub/b.csv': 'bee' });
    const records = await plane.persistOutputs(ctx('run-o3', 'prep'), { clean: folder });
    await plane.flush('run-o3');
    const elsewhere = await remote.resolveUpstreamOutput(records.clean!, ctx('run-o3', 'train', 1, remoteWs));
    assert.notEqual(elsewhere, folder);
    assert.equal(readFileSync(path.join(elsewhere, 'sub', 'b.csv'), 'utf8'), 'bee');
    appendFileSync(path.join(folder, 'a.csv'), ' tampered');
    const here = await plane.resolveUpstreamOutput(records.clean!, ctx('run-o3', 'train'));
    assert.notEqual(here, folder);
    assert.equal(readFileSync(path.join(here, 'a.csv'), 'utf8'), 'original');
  });

  test('an output file changed while uploading is not committed, and flush says so', async () => {
    const folder = stepOutput('run-o4', 'prep', 'clean', { 'big.bin': Buffer.alloc(24 * 1024 * 1024, 2) });
    const records = await plane.persistOutputs(ctx('run-o4', 'prep'), { clean: folder });
    appendFileSync(path.join(folder, 'big.bin'), 'late write');
    await assert.rejects(plane.flush('run-o4', Object.values(records)), /azureml\/run-o4\/prep\/outputs\/clean: .*big\.bin changed while it was being uploaded/);
    assert.equal(await plane.outputsExist(records), false);
  });

  test('file names that cannot be blob paths fail the output, naming it', async () => {
    const folder = stepOutput('run-o5', 'prep', 'odd', { 'bad\\name.txt': 'x' });
    await assert.rejects(plane.persistOutputs(ctx('run-o5', 'prep'), { odd: folder }), /outputs\.odd \(file .*bad\\name\.txt\): path "bad\\\\name\.txt" contains "\\"/);
  });

  test('flush finishes an upload an earlier process did not, from the local folder', async () => {
    const folder = stepOutput('run-o6', 'prep', 'clean', { 'a.csv': 'data', 'b.csv': 'more' });
    const records = await plane.persistOutputs(ctx('run-o6', 'prep'), { clean: folder });
    await plane.flush('run-o6');
    await ds.container.getBlobClient('azureml/run-o6/prep/outputs/clean/_tributary_complete.json').delete(); // as if it died before the manifest
    assert.equal(await plane.outputsExist(records), false);
    const restarted = new BlobDataPlane(ws);
    await restarted.flush('run-o6', Object.values(records));
    assert.equal(await plane.outputsExist(records), true);
  });

  test('flush fails naming an output that is neither committed nor available locally', async () => {
    const folder = stepOutput('run-o7', 'prep', 'clean', { 'a.csv': 'data', 'b.csv': 'more' });
    const records = await plane.persistOutputs(ctx('run-o7', 'prep'), { clean: folder });
    await plane.flush('run-o7');
    await ds.container.getBlobClient('azureml/run-o7/prep/outputs/clean/_tributary_complete.json').delete();
    rmSync(folder, { recursive: true });
    await assert.rejects(new BlobDataPlane(ws).flush('run-o7', Object.values(records)), /azureml\/run-o7\/prep\/outputs\/clean is incomplete: .*and the local folder it came from is gone or changed/);
  });

  test('a small output is uploaded as it was hashed: a later local change does not reach the datastore', async () => {
    const folder = stepOutput('run-o9', 'prep', 'clean', { 'a.csv': 'as hashed' });
    const records = await plane.persistOutputs(ctx('run-o9', 'prep'), { clean: folder });
    writeFileSync(path.join(folder, 'a.csv'), 'rewritten');
    await plane.flush('run-o9', Object.values(records));
    assert.equal((await ds.container.getBlobClient('azureml/run-o9/prep/outputs/clean/a.csv').downloadToBuffer()).toString(), 'as hashed');
    assert.equal(await remote.outputsExist(records), true);
    assert.notEqual(await plane.resolveUpstreamOutput(records.clean!, ctx('run-o9', 'train')), folder, 'the changed folder is not trusted');
  });

  test('persisting an output again replaces the earlier upload: its other blobs are removed before the new manifest', async () => {
    const folder = stepOutput('run-o10', 'prep', 'clean', { 'a.csv': 'one', 'old/b.csv': 'two' });
    await plane.persistOutputs(ctx('run-o10', 'prep'), { clean: folder });
    await plane.flush('run-o10');
    rmSync(path.join(folder, 'old'), { recursive: true });
    writeFileSync(path.join(folder, 'a.csv'), 'three');
    const records = await plane.persistOutputs(ctx('run-o10', 'prep', 2), { clean: folder });
    await plane.flush('run-o10', Object.values(records));
    const names: string[] = [];
    for await (const b of ds.container.listBlobsFlat({ prefix: 'azureml/run-o10/' })) names.push(b.name);
    assert.deepEqual(names, ['azureml/run-o10/prep/outputs/clean/a.csv'], 'one file now: its blob carries the manifest');
    assert.equal(await remote.outputsExist(records), true);
  });

  test('an output of one small file is committed in one write: its blob carries the manifest', async () => {
    const folder = stepOutput('run-o11', 'prep', 'clean', { 'a.csv': 'data' });
    const records = await plane.persistOutputs(ctx('run-o11', 'prep'), { clean: folder });
    await plane.flush('run-o11');
    const blobs: { name: string; metadata?: Record<string, string> }[] = [];
    for await (const b of ds.container.listBlobsFlat({ prefix: 'azureml/run-o11/', includeMetadata: true })) blobs.push(b);
    assert.deepEqual(blobs.map((b) => b.name), ['azureml/run-o11/prep/outputs/clean/a.csv']);
    assert.equal(blobs[0]!.metadata?.fingerprint, records.clean!.fingerprint);
    const manifest = await readManifest(ds.container, 'azureml/run-o11/prep/outputs/clean');
    assert.deepEqual(manifest?.files.map((f) => [f.path, f.size]), [['a.csv', 4]]);
    assert.equal(await remote.outputsExist(records), true);
    assert.equal(readFileSync(path.join(await remote.resolveUpstreamOutput(records.clean!, ctx('run-o11', 'train')), 'a.csv'), 'utf8'), 'data');
    // Rewritten by another tool, the blob loses the metadata: the output is no longer committed.
    await ds.container.getBlockBlobClient('azureml/run-o11/prep/outputs/clean/a.csv').upload('data', 4);
    assert.equal(await readManifest(ds.container, 'azureml/run-o11/prep/outputs/clean'), undefined);
    assert.equal(await new BlobDataPlane(ws).outputsExist(records), false);
  });

  test('a file of a committed output written over with the same size: not reused, and a reader elsewhere is told why', async () => {
    const folder = stepOutput('run-o12', 'prep', 'clean', { 'a.csv': 'data', 'b.csv': 'more' });
    const records = await plane.persistOutputs(ctx('run-o12', 'prep'), { clean: folder });
    await plane.flush('run-o12');
    assert.equal(await new BlobDataPlane(ws).outputsExist(records, 'run-o12-next'), true);
    await ds.container.getBlockBlobClient('azureml/run-o12/prep/outputs/clean/a.csv').upload('DATA', 4);
    assert.equal(await new BlobDataPlane(ws).outputsExist(records, 'run-o12-next'), false);
    await assert.rejects(remote.resolveUpstreamOutput(records.clean!, ctx('run-o12', 'train', 1, remoteWs)), /azureml\/run-o12\/prep\/outputs\/clean was changed after it was committed/);
  });

  test('with background uploads off, the output is committed when persistOutputs returns', async () => {
    const folder = stepOutput('run-o8', 'prep', 'clean', { 'a.csv': 'sync' });
    await new BlobDataPlane(ws, { background: false }).persistOutputs(ctx('run-o8', 'prep'), { clean: folder });
    assert.ok(await readManifest(ds.container, 'azureml/run-o8/prep/outputs/clean'));
  });
});

describe('BlobDataPlane: interrupted uploads are never taken as complete', () => {
  const prefix = 'azureml/run-i1/prep/outputs/clean';
  let record: { uri: string; fingerprint: string };

  before(async () => {
    const folder = stepOutput('run-i1', 'prep', 'clean', { 'a.bin': Buffer.alloc(12 * 1024 * 1024, 3), 'b.bin': Buffer.alloc(12 * 1024 * 1024, 4) });
    const tree = await hashLocalTree(folder, 'outputs.clean');
    record = { uri: uri(prefix), fingerprint: tree.fingerprint };
    const abort = new AbortController();
    const entries = tree.files.map((file) => ({ blobRel: file.rel, file }));
    await assert.rejects(commitUpload(ds.container, prefix, entries, { signal: abort.signal, onProgress: () => abort.abort() }));
    rmSync(folder, { recursive: true }); // nothing local to fall back on
  });

  test('no manifest is left, so outputsExist (reuse) says no', async () => {
    assert.equal(await readManifest(ds.container, prefix), undefined);
    assert.equal(await plane.outputsExist({ clean: record }), false);
  });

  test('a consumer fails with a clear message instead of reading partial data', async () => {
    await assert.rejects(plane.resolveUpstreamOutput(record, ctx('run-i1', 'train')), /azureml\/run-i1\/prep\/outputs\/clean is incomplete: it has no valid _tributary_complete\.json \(its upload did not finish\)/);
  });

  test('a datastore input pointing at the partial output is refused too', async () => {
    await assert.rejects(plane.resolveInput({ name: 'd', type: 'uri_folder', uri: uri(prefix) }, ctx('run-i2', 's')), /inputs\.d: .*is incomplete/);
    await assert.rejects(plane.resolveInput({ name: 'd', type: 'uri_file', uri: uri(`${prefix}/a.bin`) }, ctx('run-i2', 's')), /inputs\.d: .*is incomplete/);
  });

  test('an interrupted re-upload removes the earlier manifest first', async () => {
    const folder = stepOutput('run-i3', 'prep', 'clean', { 'a.bin': Buffer.alloc(12 * 1024 * 1024, 5) });
    const records = await plane.persistOutputs(ctx('run-i3', 'prep'), { clean: folder });
    await plane.flush('run-i3');
    writeFileSync(path.join(folder, 'a.bin'), Buffer.alloc(12 * 1024 * 1024, 6));
    const tree = await hashLocalTree(folder, 'outputs.clean');
    const abort = new AbortController();
    const entries = tree.files.map((file) => ({ blobRel: file.rel, file }));
    await assert.rejects(commitUpload(ds.container, 'azureml/run-i3/prep/outputs/clean', entries, { signal: abort.signal, onProgress: () => abort.abort() }));
    assert.equal(await readManifest(ds.container, 'azureml/run-i3/prep/outputs/clean'), undefined);
    assert.equal(await remote.outputsExist(records), false);
  });
});

/** Writes an attempt's log and metrics files where the local worker keeps them. */
function attemptFiles(paths: AttemptPaths, files: Partial<Record<'stdout' | 'stderr' | 'metrics', string>>): void {
  for (const [which, text] of Object.entries(files) as [keyof typeof files, string][]) {
    mkdirSync(path.dirname(paths[which]), { recursive: true });
    writeFileSync(paths[which], text);
  }
}

describe('BlobDataPlane: attempt artifacts', () => {
  test('logs and metrics of an attempt are kept under logs/attempt-N', async () => {
    const paths = attemptPaths(ws, 'run-a1', 'train', 2);
    attemptFiles(paths, { stdout: 'hello\n', stderr: 'warn\n', metrics: '{"name":"acc","value":0.9}\n' });
    await plane.persistAttemptArtifacts(ctx('run-a1', 'train', 2), paths);
    await plane.flush('run-a1');
    const names: string[] = [];
    for await (const b of ds.container.listBlobsFlat({ prefix: 'azureml/run-a1/' })) names.push(b.name);
    assert.deepEqual(names.sort(), ['azureml/run-a1/train/logs/attempt-2/metrics.jsonl', 'azureml/run-a1/train/logs/attempt-2/stderr.log', 'azureml/run-a1/train/logs/attempt-2/stdout.log']);
    assert.equal(existsSync(paths.stdout), true);
  });

  test('empty logs are not uploaded: a reader takes a missing log as an empty one', async () => {
    const first = attemptPaths(ws, 'run-a2', 'quiet', 1);
    attemptFiles(first, { stdout: '', stderr: '', metrics: '{"name":"n","value":1}\n' });
    await plane.persistAttemptArtifacts(ctx('run-a2', 'quiet'), first);
    const second = attemptPaths(ws, 'run-a2', 'quiet', 2);
    attemptFiles(second, { stdout: '', stderr: '' });
    await plane.persistAttemptArtifacts(ctx('run-a2', 'quiet', 2), second);
    await plane.flush('run-a2');
    const names: string[] = [];
    for await (const b of ds.container.listBlobsFlat({ prefix: 'azureml/run-a2/' })) names.push(b.name);
    assert.deepEqual(names, ['azureml/run-a2/quiet/logs/attempt-1/metrics.jsonl']);
    assert.equal((await new BlobStepLogs(ds.container).read('run-a2', 'quiet', 1, 'stdout', 0, 1024)).length, 0);
  });
});

describe('BlobDataPlane: input fingerprints for reuse', () => {
  before(async () => {
    const src = localTree(path.join(ws.root, 'src-fp'), { 'table.csv': 'a,b\n', 'set/x.txt': 'x', 'set/deep/y.txt': 'y' });
    await ds.uploadFiles([path.join(src, 'table.csv')], { targetPath: 'fp' });
    await ds.uploadFiles([path.join(src, 'set')], { targetPath: 'fp/set' });
  });

  test('a local path fingerprints exactly as on the local-folder plane', async () => {
    const folder = localTree(path.join(ws.root, 'fp-local'), { 'a.txt': 'alpha', 'b/c.txt': 'gamma' });
    const input = { name: 'd', type: 'uri_folder' as const, uri: folder };
    assert.deepEqual(await plane.fingerprintInput(input), await new LocalFolderDataPlane().fingerprintInput(input));
  });

  test('blobs are identified by path, size and content MD5, without downloading; new content, new fingerprint', async () => {
    const file = await plane.fingerprintInput({ name: 'd', type: 'uri_file', uri: uri('fp/table.csv') });
    assert.deepEqual(file.files.map((f) => [f.path, f.size, f.hash.slice(0, 4)]), [['table.csv', 4, 'md5:']]);
    assert.deepEqual(await plane.fingerprintInput({ name: 'd', type: 'uri_file', uri: uri('fp/table.csv') }), file);
    const folder = await plane.fingerprintInput({ name: 'd', type: 'uri_folder', uri: uri('fp/set') });
    assert.deepEqual(folder.files.map((f) => f.path), ['deep/y.txt', 'x.txt']);
    const changed = localTree(path.join(ws.root, 'src-fp2'), { 'table.csv': 'a,b\n1,2\n' });
    await ds.uploadFiles([path.join(changed, 'table.csv')], { targetPath: 'fp', overwrite: true });
    assert.notEqual((await plane.fingerprintInput({ name: 'd', type: 'uri_file', uri: uri('fp/table.csv') })).fingerprint, file.fingerprint);
  });

  test("a committed output referenced by URI has the producer's fingerprint; missing data fails naming the input", async () => {
    const folder = stepOutput('run-f1', 'prep', 'clean', { 'a.csv': 'one', 'b/c.csv': 'two' });
    const records = await plane.persistOutputs(ctx('run-f1', 'prep'), { clean: folder });
    await plane.flush('run-f1');
    assert.equal((await plane.fingerprintInput({ name: 'd', type: 'uri_folder', uri: records.clean!.uri })).fingerprint, records.clean!.fingerprint);
    await assert.rejects(plane.fingerprintInput({ name: 'd', type: 'uri_file', uri: uri('fp/none.csv') }), (err: unknown) => err instanceof ValidationError && /^inputs\.d: .*fp\/none\.csv does not exist/.test(err.message));
    await assert.rejects(plane.fingerprintInput({ name: 'd', type: 'uri_folder', uri: '/no/such/folder' }), /inputs\.d: \/no\/such\/folder does not exist/);
  });
});
