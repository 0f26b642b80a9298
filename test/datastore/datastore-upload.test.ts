import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { NotFoundError, ValidationError } from '../../shared/errors';
import { Datastore } from '../../shared/datastore/blob/datastore';
import type { UploadProgress } from '../../shared/datastore/blob/upload-files';
import { startTestAzurite, type TestAzurite } from '../support/azurite';

let azurite: TestAzurite;
let src: string;
before(async () => {
  azurite = await startTestAzurite();
  src = path.join(azurite.workspace.root, 'src');
  mkdirSync(path.join(src, 'data', 'nested', 'deeper'), { recursive: true });
  writeFileSync(path.join(src, 'data', 'a.csv'), 'a,b\n1,2\n');
  writeFileSync(path.join(src, 'data', 'nested', 'b.txt'), 'bee');
  writeFileSync(path.join(src, 'data', 'nested', 'deeper', 'c.bin'), Buffer.alloc(3 * 1024 * 1024, 7));
  writeFileSync(path.join(src, 'single.txt'), 'one file');
});
after(() => azurite.stop());

async function blobText(ds: Datastore, name: string): Promise<string> {
  return (await ds.container.getBlobClient(name).downloadToBuffer()).toString('utf8');
}

describe('datastore registry', () => {
  test('workspaceblobstore exists by default, on the embedded Azurite', () => {
    assert.deepEqual(Datastore.list(azurite.workspace)[0], { name: 'workspaceblobstore', container: 'azureml-blobstore', auth: 'azurite' });
  });

  test('register, get and list; the file is 0600 and never holds a connection string', async () => {
    const ws = azurite.workspace;
    assert.deepEqual(await Datastore.register(ws, { name: 'raw_data', container: 'raw-data' }), { name: 'raw_data', container: 'raw-data', auth: 'azurite' });
    const ds = await Datastore.get(ws, 'raw_data');
    assert.equal(await ds.container.exists(), true);
    await Datastore.register(ws, { name: 'lake', container: 'lake', connectionStringEnv: 'LAKE_CONNECTION' });
    await assert.rejects(Datastore.get(ws, 'lake'), /datastore "lake": environment variable LAKE_CONNECTION \(its connection string\) is not set/);
    await Datastore.register(ws, { name: 'prod', container: 'models', accountUrl: 'https://example.invalid' });
    const names = Datastore.list(ws).map((d) => `${d.name}:${d.auth}`);
    assert.deepEqual(names, ['workspaceblobstore:azurite', 'lake:connectionString', 'prod:defaultAzureCredential', 'raw_data:azurite']);
    const file = path.join(ws.root, 'datastores.json');
    assert.equal((statSync(file).mode & 0o777).toString(8), '600');
    assert.match(readFileSync(file, 'utf8'), /"connectionStringEnv": "LAKE_CONNECTION"/);
    assert.doesNotMatch(readFileSync(file, 'utf8'), /AccountKey|SharedAccessSignature/);
  });

  test('get of an unknown datastore names the known ones', async () => {
    await assert.rejects(Datastore.get(azurite.workspace, 'nope'), (err: unknown) => err instanceof NotFoundError && /datastore "nope" is not registered \(known: workspaceblobstore/.test(err.message));
  });

  test('bad registrations are rejected naming the field', async () => {
    const ws = azurite.workspace;
    await assert.rejects(Datastore.register(ws, { name: 'bad-name', container: 'ok-container' }), /name: use letters, digits and "_"/);
    await assert.rejects(Datastore.register(ws, { name: 'x', container: 'UPPER' }), /container: 3-63 lowercase letters/);
    await assert.rejects(Datastore.register(ws, { name: 'x', container: 'a--b' }), /container: 3-63 lowercase letters/);
    await assert.rejects(Datastore.register(ws, { name: 'x', container: 'abc', auth: 'defaultAzureCredential' }), /accountUrl: required with defaultAzureCredential/);
    await assert.rejects(Datastore.register(ws, { name: 'x', container: 'abc', connectionStringEnv: 'has space' }), /connectionStringEnv: an environment variable name/);
  });
});

describe('uploadFiles', () => {
  test('folders upload recursively under the target path, files under their name, with progress', async () => {
    const ds = await Datastore.get(azurite.workspace);
    const progress: UploadProgress[] = [];
    const result = await ds.uploadFiles([path.join(src, 'data'), path.join(src, 'single.txt')], { targetPath: 'datasets/v1', onProgress: (p) => progress.push(p) });
    assert.deepEqual(result.uploaded, ['datasets/v1/a.csv', 'datasets/v1/nested/b.txt', 'datasets/v1/nested/deeper/c.bin', 'datasets/v1/single.txt']);
    assert.deepEqual(result.skipped, []);
    assert.equal(result.uploadedBytes, 8 + 3 + 3 * 1024 * 1024 + 8);
    assert.equal(await blobText(ds, 'datasets/v1/nested/b.txt'), 'bee');
    assert.equal(progress.at(-1)?.totalBytes, result.uploadedBytes);
    assert.equal(Math.max(...progress.map((p) => p.loadedBytes)), result.uploadedBytes);
  });

  test('without overwrite existing blobs are kept and listed; with overwrite they are replaced', async () => {
    const ds = await Datastore.get(azurite.workspace);
    await ds.uploadFiles([path.join(src, 'data')], { targetPath: 'keep' });
    writeFileSync(path.join(src, 'data', 'nested', 'b.txt'), 'changed');
    writeFileSync(path.join(src, 'data', 'new.txt'), 'new');
    const kept = await ds.uploadFiles([path.join(src, 'data')], { targetPath: 'keep' });
    assert.deepEqual(kept.uploaded, ['keep/new.txt']);
    assert.deepEqual(kept.skipped, ['keep/a.csv', 'keep/nested/b.txt', 'keep/nested/deeper/c.bin']);
    assert.equal(await blobText(ds, 'keep/nested/b.txt'), 'bee');
    const replaced = await ds.uploadFiles([path.join(src, 'data')], { targetPath: 'keep', overwrite: true });
    assert.equal(replaced.uploaded.length, 4);
    assert.deepEqual(replaced.skipped, []);
    assert.equal(await blobText(ds, 'keep/nested/b.txt'), 'changed');
  });

  test('the target path is checked, naming the field the caller gave', async () => {
    const ds = await Datastore.get(azurite.workspace);
    for (const bad of ['../up', '/abs', 'a\\b', 'a//b', 'a\u0001b']) {
      await assert.rejects(ds.uploadFiles([path.join(src, 'single.txt')], { targetPath: bad, targetField: '--target-path' }), (err: unknown) => err instanceof ValidationError && err.message.startsWith(`--target-path: path ${JSON.stringify(bad)}`));
    }
  });

  test('nothing is uploaded into azureml/, where runs keep their outputs and logs: the error says why and where to upload instead', async () => {
    const ds = await Datastore.get(azurite.workspace);
    for (const target of ['azureml/run-x/make/outputs/o', 'azureml']) {
      await assert.rejects(
        ds.uploadFiles([path.join(src, 'single.txt')], { targetPath: target, targetField: '--target-path', overwrite: true }),
        (err: unknown) =>
          err instanceof ValidationError &&
          err.message.startsWith(`--target-path: ${target} is inside azureml/, where Tributary keeps run outputs and logs`) &&
          /Upload data to a path of your own \(e\.g\. datasets\/<name>\)/.test(err.message),
      );
    }
    const holder = path.join(src, 'holder');
    mkdirSync(path.join(holder, 'azureml', 'run-x'), { recursive: true });
    writeFileSync(path.join(holder, 'azureml', 'run-x', 'f.txt'), 'x');
    await assert.rejects(ds.uploadFiles([holder]), /file .*holder\/azureml\/run-x\/f\.txt would be uploaded to azureml\/run-x\/f\.txt, inside azureml\//);
    const names: string[] = [];
    for await (const blob of ds.container.listBlobsFlat({ prefix: 'azureml/run-x/' })) names.push(blob.name);
    assert.deepEqual(names, []);
    assert.equal((await ds.uploadFiles([path.join(src, 'single.txt')], { targetPath: 'azureml-data' })).uploaded[0], 'azureml-data/single.txt', 'a name that only starts alike is fine');
  });

  test('local files whose names cannot be blob paths, missing sources and clashes are rejected', async () => {
    const ds = await Datastore.get(azurite.workspace);
    const odd = path.join(src, 'odd');
    mkdirSync(odd, { recursive: true });
    writeFileSync(path.join(odd, 'back\\slash.txt'), 'x');
    await assert.rejects(ds.uploadFiles([odd], { targetPath: 'odd' }), /file .*back\\slash\.txt: path "odd\/back\\\\slash\.txt" contains "\\"/);
    await assert.rejects(ds.uploadFiles([path.join(src, 'missing')]), /missing: .*missing does not exist/);
    await assert.rejects(ds.uploadFiles([]), /nothing to upload/);
    const twin = path.join(src, 'twin');
    mkdirSync(twin, { recursive: true });
    writeFileSync(path.join(twin, 'single.txt'), 'other');
    await assert.rejects(ds.uploadFiles([path.join(src, 'single.txt'), twin], { targetPath: 't' }), /would both be uploaded to t\/single\.txt/);
  });
});
