import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ContainerClient, ContainerSASPermissions } from '@azure/storage-blob';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { listBlobs, type ListedBlob } from '../../shared/datastore/blob/list-blobs';
import { storageStatus } from '../../shared/datastore/blob/storage-errors';
import { startTestAzurite, type TestAzurite } from '../support/azurite';

let azurite: TestAzurite;
let container: ContainerClient;

const NAMES = ['list/a & b <c>.txt', 'list/plain.csv', 'list/sub/ünïcode "quoted" \'x\'.bin', 'list/sub/z.txt', 'other/not-listed.txt'];

before(async () => {
  azurite = await startTestAzurite();
  container = (await Datastore.get(azurite.workspace)).container;
  for (const [i, name] of NAMES.entries()) {
    const body = 'x'.repeat(i + 1);
    await container.getBlockBlobClient(name).upload(body, body.length, { metadata: i % 2 ? {} : { fingerprint: `f&<${i}>`, files: String(i) } });
  }
});
after(async () => {
  await azurite.stop();
});

async function all(blobs: AsyncIterable<ListedBlob>): Promise<ListedBlob[]> {
  const listed: ListedBlob[] = [];
  for await (const blob of blobs) listed.push(blob);
  return listed;
}

/** What the SDK's own listing says about the same blobs. */
async function bySdk(prefix: string): Promise<ListedBlob[]> {
  const listed: ListedBlob[] = [];
  for await (const item of container.listBlobsFlat({ prefix, includeMetadata: true })) listed.push({ name: item.name, size: item.properties.contentLength ?? 0, metadata: item.metadata ?? {} });
  return listed;
}

describe('listBlobs', () => {
  test('names, sizes and metadata as the SDK lists them, page after page', async () => {
    const expected = await bySdk('list/');
    assert.equal(expected.length, 4);
    assert.deepEqual(await all(listBlobs(container, 'list/')), expected);
    assert.deepEqual(await all(listBlobs(container, 'list/', { pageSize: 1 })), expected);
  });

  test('through a container SAS URL', async () => {
    const sas = await container.generateSasUrl({ permissions: ContainerSASPermissions.parse('rl'), expiresOn: new Date(Date.now() + 3_600_000) });
    assert.deepEqual(await all(listBlobs(new ContainerClient(sas), 'list/sub/')), await bySdk('list/sub/'));
  });

  test('a missing container fails with the storage status', async () => {
    const missing = container.getBlobClient('x').url.replace(/\/[^/]+\/x$/, '/no-such-container');
    const client = new ContainerClient(missing, container.credential);
    await assert.rejects(all(listBlobs(client, 'list/')), (err: unknown) => storageStatus(err) === 404);
  });
});
