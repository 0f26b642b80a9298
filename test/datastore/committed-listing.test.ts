import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { ContainerClient } from '@azure/storage-blob';
import { commitUpload } from '../../shared/datastore/blob/commit-upload';
import { CommittedListing } from '../../shared/datastore/blob/committed-listing';
import { checkCommitted, manifestBlob } from '../../shared/datastore/blob/manifest';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { hashLocalTree } from '../../shared/datastore/blob/hashed-tree';
import { startTestAzurite, type TestAzurite } from '../support/azurite';

let azurite: TestAzurite;
let container: ContainerClient;
let listings = 0;
const fingerprints = new Map<string, string>();

/** The real container, counting the listings made through it. */
function countingListings(real: ContainerClient): ContainerClient {
  return new Proxy(real, {
    get(target, key) {
      if (key === 'listBlobsFlat') listings++;
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** `again`: replaces an earlier upload of the prefix. One file (`v`) unless `files` are given. */
async function committedOutput(prefix: string, content: string, again = false, files: Record<string, string> = { v: content }): Promise<void> {
  const folder = path.join(azurite.workspace.root, 'local', prefix);
  mkdirSync(folder, { recursive: true });
  for (const [rel, text] of Object.entries(files)) writeFileSync(path.join(folder, rel), text);
  const tree = await hashLocalTree(folder, 'output');
  await commitUpload(container, prefix, tree.files.map((file) => ({ blobRel: file.rel, file })), { fresh: !again });
  fingerprints.set(prefix, tree.fingerprint);
}

before(async () => {
  azurite = await startTestAzurite();
  container = countingListings((await Datastore.get(azurite.workspace)).container);
  await committedOutput('azureml/run-l1/a/outputs/out', 'a');
  await committedOutput('azureml/run-l1/b/outputs/out', 'b');
});
after(async () => {
  await azurite.stop();
});

describe('CommittedListing', () => {
  const a = 'azureml/run-l1/a/outputs/out';
  const b = 'azureml/run-l1/b/outputs/out';

  test('one listing of the producing run answers every check of a deciding run, until it is forgotten', async () => {
    const committed = new CommittedListing();
    listings = 0;
    assert.equal(await committed.check(container, 'run-l1', a, fingerprints.get(a), 'deciding-1'), 'committed');
    assert.equal(await committed.check(container, 'run-l1', b, fingerprints.get(b), 'deciding-1'), 'committed');
    assert.equal(await committed.check(container, 'run-l1', 'azureml/run-l1/c/outputs/out', undefined, 'deciding-1'), 'missing');
    assert.equal(listings, 1);
    committed.forget('deciding-1');
    assert.equal(await committed.check(container, 'run-l1', a, fingerprints.get(a), 'deciding-1'), 'committed');
    assert.equal(listings, 2);
  });

  test('an upload into the listed run drops its listing in every scope', async () => {
    const committed = new CommittedListing();
    await committed.check(container, 'run-l1', a, undefined, 'deciding-2');
    await committed.check(container, 'run-l1', a, undefined, 'deciding-3');
    committed.changed(container, 'run-l1');
    await committedOutput(b, 'b, again', true);
    listings = 0;
    assert.equal(await committed.check(container, 'run-l1', b, fingerprints.get(b), 'deciding-2'), 'committed');
    assert.equal(await committed.check(container, 'run-l1', b, fingerprints.get(b), 'deciding-3'), 'committed');
    assert.equal(listings, 2);
  });

  test('without a deciding run, every check lists afresh', async () => {
    const committed = new CommittedListing();
    listings = 0;
    await committed.check(container, 'run-l1', a);
    await committed.check(container, 'run-l1', a);
    assert.equal(listings, 2);
  });
});

describe('CommittedListing: a file written over a committed output', () => {
  const check = (prefix: string) => new CommittedListing().check(container, 'run-w1', prefix, fingerprints.get(prefix));
  /** What `datastore upload --overwrite` did before it refused this area: a plain upload, no metadata. */
  const writeOver = (name: string, content: string) => container.getBlockBlobClient(name).upload(content, content.length);

  test('of several files, with the same size: the etags recorded at the commit tell, from the listing alone', async () => {
    const prefix = 'azureml/run-w1/a/outputs/out';
    await committedOutput(prefix, '', false, { 'x.txt': 'xxxx', 'y.txt': 'yyyy' });
    assert.equal(await check(prefix), 'committed');
    await writeOver(`${prefix}/x.txt`, 'XXXX');
    listings = 0;
    assert.equal(await check(prefix), 'missing');
    assert.equal(listings, 1);
    const full = await checkCommitted(container, prefix, fingerprints.get(prefix));
    assert.match('problem' in full ? full.problem : '', /^azureml\/run-w1\/a\/outputs\/out was changed after it was committed: a file in it was written again/);
  });

  test('of one file, which carries its own manifest: writing it again drops that metadata, so it is no longer committed', async () => {
    const prefix = 'azureml/run-w1/b/outputs/out';
    await committedOutput(prefix, 'vvvv');
    assert.equal(await check(prefix), 'committed');
    await writeOver(`${prefix}/v`, 'VVVV');
    assert.equal(await check(prefix), 'missing');
    assert.ok('problem' in (await checkCommitted(container, prefix, fingerprints.get(prefix))));
  });

  test('a manifest of an earlier version (no etags in its metadata) is checked in full, as before', async () => {
    const prefix = 'azureml/run-w1/c/outputs/out';
    await committedOutput(prefix, '', false, { 'x.txt': 'xxxx', 'y.txt': 'yyyy' });
    const manifest = container.getBlobClient(manifestBlob(prefix));
    const { etags: _digest, ...earlier } = (await manifest.getProperties()).metadata!;
    await manifest.setMetadata(earlier);
    assert.equal(await check(prefix), 'unknown');
    assert.ok('manifest' in (await checkCommitted(container, prefix, fingerprints.get(prefix))));
  });
});
