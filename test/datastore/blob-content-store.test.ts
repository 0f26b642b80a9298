import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobContentStore } from '../../shared/datastore/blob/blob-content-store';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { describeContentStoreContract } from '../snapshot/content-store-contract';
import { tempDir } from '../snapshot/helpers';
import { startTestAzurite, type TestAzurite } from '../support/azurite';

let azurite: TestAzurite;
before(async () => {
  azurite = await startTestAzurite();
});
after(() => azurite.stop());

let stores = 0;
describeContentStoreContract('BlobContentStore', async () => {
  const ds = await Datastore.get(azurite.workspace);
  return { store: new BlobContentStore(ds.container, `snapshots-${++stores}`), cleanup: async () => undefined };
});

describe('BlobContentStore', () => {
  const sha = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

  it('stores multi-block and empty files at snapshots/objects/<aa>/<digest>', async () => {
    const ds = await Datastore.get(azurite.workspace);
    const store = BlobContentStore.forDatastore(ds);
    const { dir, cleanup } = await tempDir('blob-store');
    try {
      const big = Buffer.alloc(20 * 1024 * 1024 + 5, 9);
      await writeFile(path.join(dir, 'big'), big);
      await writeFile(path.join(dir, 'empty'), '');
      await store.put(sha(big), path.join(dir, 'big'));
      await store.put(sha(''), path.join(dir, 'empty'));
      const props = await ds.container.getBlobClient(`snapshots/objects/${sha(big).slice(0, 2)}/${sha(big)}`).getProperties();
      assert.equal(props.contentLength, big.length);
      await store.get(sha(''), path.join(dir, 'empty-out'));
      await store.get(sha(big), path.join(dir, 'big-out'));
      assert.deepEqual(await store.has([sha(big), sha('')]), new Set([sha(big), sha('')]));
    } finally {
      await cleanup();
    }
  });
});
