import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ContainerClient, ContainerSASPermissions } from '@azure/storage-blob';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { putBlob } from '../../shared/datastore/blob/put-blob';
import { storageStatus } from '../../shared/datastore/blob/storage-errors';
import { startTestAzurite, type TestAzurite } from '../support/azurite';

let azurite: TestAzurite;
let container: ContainerClient;

before(async () => {
  azurite = await startTestAzurite();
  container = (await Datastore.get(azurite.workspace)).container;
});
after(async () => {
  await azurite.stop();
});

/** What the SDK reads back: content, content type and metadata. */
async function readBack(client: ContainerClient, name: string): Promise<{ content: string; contentType?: string; metadata?: Record<string, string> }> {
  const blob = client.getBlobClient(name);
  const props = await blob.getProperties();
  return { content: (await blob.downloadToBuffer()).toString('utf8'), contentType: props.contentType, metadata: props.metadata };
}

describe('putBlob', () => {
  test('writes content, content type and metadata, under names the SDK reads back', async () => {
    const name = 'put/a & b <c> ünïcode "q".json';
    await putBlob(container, name, Buffer.from('{"ok":true}'), { contentType: 'application/json', metadata: { fingerprint: 'abc', files: '1' } });
    assert.deepEqual(await readBack(container, name), { content: '{"ok":true}', contentType: 'application/json', metadata: { fingerprint: 'abc', files: '1' } });
    await putBlob(container, 'put/empty', Buffer.alloc(0));
    assert.equal((await readBack(container, 'put/empty')).content, '');
  });

  test('through a container SAS URL', async () => {
    const sas = await container.generateSasUrl({ permissions: ContainerSASPermissions.parse('rcw'), expiresOn: new Date(Date.now() + 3_600_000) });
    await putBlob(new ContainerClient(sas), 'put/by-sas.txt', Buffer.from('sas'));
    assert.equal((await readBack(container, 'put/by-sas.txt')).content, 'sas');
  });

  test('a missing container fails with the storage status, not retried', async () => {
    const missing = new ContainerClient(container.url.replace(/[^/]+$/, 'no-such-container'), container.credential);
    await assert.rejects(putBlob(missing, 'x', Buffer.from('x')), (err: unknown) => storageStatus(err) === 404);
  });
});
