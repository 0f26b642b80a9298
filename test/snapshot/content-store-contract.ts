/**
 * The ContentStore contract, run against every adapter (local folder here; Blob on Azurite in
 * the data-plane tests): `describeContentStoreContract('BlobContentStore', async () => ...)`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { ContentStore } from '../../shared/snapshot/content-store';
import { snapshotIdOf, type SnapshotManifest } from '../../shared/snapshot/manifest';
import { tempDir } from './helpers';

export interface ContentStoreFixture {
  store: ContentStore;
  cleanup: () => Promise<void>;
}

const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

export function describeContentStoreContract(name: string, open: () => Promise<ContentStoreFixture>): void {
  describe(`ContentStore contract: ${name}`, () => {
    let fixture: ContentStoreFixture;
    let files: Awaited<ReturnType<typeof tempDir>>;
    const local = (rel: string): string => path.join(files.dir, rel);

    before(async () => {
      fixture = await open();
      files = await tempDir('content-contract');
      await writeFile(local('a.txt'), 'alpha');
      await writeFile(local('b.txt'), 'beta');
    });
    after(async () => {
      await fixture.cleanup();
      await files.cleanup();
    });

    it('has() answers for a whole batch, before and after put', async () => {
      assert.deepEqual(await fixture.store.has([sha('alpha'), sha('beta')]), new Set());
      await fixture.store.put(sha('alpha'), local('a.txt'));
      assert.deepEqual(await fixture.store.has([sha('alpha'), sha('beta')]), new Set([sha('alpha')]));
    });

    it('get() returns the bytes put', async () => {
      await fixture.store.put(sha('beta'), local('b.txt'));
      await fixture.store.get(sha('beta'), local('out.txt'));
      assert.equal(await readFile(local('out.txt'), 'utf8'), 'beta');
    });

    it('get() into a folder that does not exist fails without claiming the content is missing', async () => {
      await assert.rejects(fixture.store.get(sha('beta'), local('no/such/folder/out.txt')), (err: Error) => !('code' in err && err.code === 'NotFound'));
    });

    it('put() of the same digest twice is a no-op', async () => {
      await fixture.store.put(sha('alpha'), local('a.txt'));
      await fixture.store.put(sha('alpha'), local('a.txt'));
      assert.deepEqual(await fixture.store.has([sha('alpha')]), new Set([sha('alpha')]));
    });

    it('put() refuses a file that does not hash to the digest, and stores nothing', async () => {
      await writeFile(local('changed.txt'), 'not what was hashed');
      await assert.rejects(fixture.store.put(sha('what was hashed'), local('changed.txt')), { code: 'Transient', message: /changed while it was being snapshotted/ });
      assert.deepEqual(await fixture.store.has([sha('what was hashed')]), new Set());
    });

    it('get() of an unknown digest is NotFound', async () => {
      await assert.rejects(fixture.store.get(sha('never stored'), local('x')), { code: 'NotFound' });
      await assert.rejects(stat(local('x')), { code: 'ENOENT' });
    });

    it('digests and ids that are not sha256 hex are rejected before any I/O', async () => {
      await assert.rejects(fixture.store.has(['../../etc/passwd']), { code: 'ValidationError' });
      await assert.rejects(fixture.store.put('ab', local('a.txt')), { code: 'ValidationError' });
      await assert.rejects(fixture.store.get(sha('x').toUpperCase(), local('y')), { code: 'ValidationError' });
      await assert.rejects(fixture.store.getManifest('../manifest'), { code: 'ValidationError' });
    });

    it('manifests round-trip by id; an unknown id is undefined; a mismatched id is refused', async () => {
      const manifest: SnapshotManifest = { schemaVersion: 1, files: [{ path: 'a.txt', size: 5, sha256: sha('alpha'), mode: 0o644 }] };
      const id = snapshotIdOf(manifest);
      assert.equal(await fixture.store.getManifest(id), undefined);
      await fixture.store.putManifest(id, manifest);
      assert.deepEqual(await fixture.store.getManifest(id), manifest);
      await assert.rejects(fixture.store.putManifest(sha('other'), manifest), { code: 'ValidationError' });
    });
  });
}
