import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { LocalContentStore } from '../../shared/snapshot/content-store';
import { describeContentStoreContract } from './content-store-contract';
import { tempDir } from './helpers';

describeContentStoreContract('LocalContentStore', async () => {
  const { dir, cleanup } = await tempDir('local-store');
  return { store: new LocalContentStore(dir), cleanup };
});

describe('LocalContentStore', () => {
  const sha = (text: string): string => createHash('sha256').update(text).digest('hex');

  it('keeps objects at objects/<aa>/<digest>, read-only', async () => {
    const { dir, cleanup } = await tempDir('local-store');
    try {
      const store = new LocalContentStore(path.join(dir, 'store'));
      await writeFile(path.join(dir, 'f'), 'content');
      await store.put(sha('content'), path.join(dir, 'f'));
      const object = path.join(dir, 'store', 'objects', sha('content').slice(0, 2), sha('content'));
      assert.equal(store.objectPath(sha('content')), object);
      assert.equal((await stat(object)).mode & 0o777, 0o444);
    } finally {
      await cleanup();
    }
  });

  it('never takes an interrupted write (a leftover temp file) as a stored object', async () => {
    const { dir, cleanup } = await tempDir('local-store');
    try {
      const store = new LocalContentStore(path.join(dir, 'store'));
      const digest = sha('complete content');
      // What a crash halfway through put() leaves behind: a partial temp file next to the object's name.
      const object = store.objectPath(digest);
      await mkdir(path.dirname(object), { recursive: true });
      await writeFile(`${object}.tmp-12345-abcdef`, 'compl');
      assert.deepEqual(await store.has([digest]), new Set());
      await assert.rejects(store.get(digest, path.join(dir, 'out')), { code: 'NotFound' });
      // A later put completes normally and only the complete object is visible.
      await writeFile(path.join(dir, 'f'), 'complete content');
      await store.put(digest, path.join(dir, 'f'));
      assert.deepEqual(await store.has([digest]), new Set([digest]));
      const names = await readdir(path.dirname(object));
      assert.ok(names.includes(digest));
    } finally {
      await cleanup();
    }
  });

  it('a refused put leaves no temp file behind', async () => {
    const { dir, cleanup } = await tempDir('local-store');
    try {
      const store = new LocalContentStore(path.join(dir, 'store'));
      await writeFile(path.join(dir, 'f'), 'other');
      await assert.rejects(store.put(sha('expected'), path.join(dir, 'f')), { code: 'Transient' });
      assert.deepEqual(await readdir(path.dirname(store.objectPath(sha('expected')))), []);
    } finally {
      await cleanup();
    }
  });
});
