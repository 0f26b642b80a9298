/**
 * The snapshot ContentStore on a datastore: `snapshots/objects/<aa>/<digest>` and
 * `snapshots/manifests/<id>.json`. A put reads the file once, hashing exactly the blocks it
 * stages, and commits the block list (which makes the blob visible at once) only when they hash
 * to the digest — so a stored object always holds the bytes its name promises, and an
 * interrupted put leaves only uncommitted blocks that nothing can see.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';
import { NotFoundError, TransientError, ValidationError } from '../../errors';
import { assertDigest, type ContentStore } from '../../snapshot/content-store';
import { assertSnapshotId, parseManifest, serializeManifest, sha256Text, type SnapshotManifest } from '../../snapshot/manifest';
import { BLOCK_SIZE } from './commit-upload';
import { mapLimit } from './concurrency';
import type { Datastore } from './datastore';
import { storageError, storageStatus } from './storage-errors';

const HEAD_CONCURRENCY = 32;
const BLOCKS_IN_FLIGHT = 4;

export class BlobContentStore implements ContentStore {
  constructor(
    private readonly container: ContainerClient,
    private readonly prefix = 'snapshots',
  ) {}

  static forDatastore(ds: Datastore): BlobContentStore {
    return new BlobContentStore(ds.container);
  }

  async has(digests: string[]): Promise<Set<string>> {
    digests.forEach(assertDigest);
    const present = await mapLimit(digests, HEAD_CONCURRENCY, async (d) => {
      try {
        return await this.container.getBlobClient(this.objectName(d)).exists();
      } catch (err) {
        throw storageError(err, `checking snapshot content ${d}`);
      }
    });
    return new Set(digests.filter((_, i) => present[i]));
  }

  async put(digest: string, localFile: string): Promise<void> {
    assertDigest(digest);
    if ((await this.has([digest])).size === 1) return;
    const blob = this.container.getBlockBlobClient(this.objectName(digest));
    const hash = createHash('sha256');
    const ids: string[] = [];
    const inFlight = new Set<Promise<unknown>>();
    const handle = await open(localFile, 'r');
    try {
      for (let position = 0; ; ) {
        const chunk = Buffer.allocUnsafe(BLOCK_SIZE);
        const { bytesRead } = await handle.read(chunk, 0, BLOCK_SIZE, position);
        if (bytesRead === 0) break;
        position += bytesRead;
        const bytes = chunk.subarray(0, bytesRead);
        hash.update(bytes);
        const id = Buffer.from(String(ids.length).padStart(8, '0')).toString('base64');
        ids.push(id);
        const staged: Promise<unknown> = blob.stageBlock(id, bytes, bytes.length).finally(() => inFlight.delete(staged));
        staged.catch(() => undefined); // observed below; never an unhandled rejection meanwhile
        inFlight.add(staged);
        if (inFlight.size >= BLOCKS_IN_FLIGHT) await Promise.race(inFlight);
      }
      await Promise.all(inFlight);
    } catch (err) {
      throw storageError(err, `storing ${localFile} as snapshot content ${digest}`);
    } finally {
      await handle.close();
    }
    if (hash.digest('hex') !== digest) throw new TransientError(`${localFile} changed while it was being snapshotted; submit again`);
    try {
      await blob.commitBlockList(ids, { conditions: { ifNoneMatch: '*' } });
    } catch (err) {
      if (storageStatus(err) !== 409) throw storageError(err, `storing snapshot content ${digest}`); // 409: stored meanwhile, same bytes
    }
  }

  async get(digest: string, destFile: string): Promise<void> {
    assertDigest(digest);
    try {
      await this.container.getBlobClient(this.objectName(digest)).downloadToFile(destFile);
    } catch (err) {
      if (storageStatus(err) === 404) throw new NotFoundError(`content ${digest} is not in the snapshot store (container ${this.container.containerName})`, digest);
      if (storageStatus(err) !== undefined) throw storageError(err, `reading snapshot content ${digest}`);
      throw err; // local file system errors (e.g. no such folder) stay what they are
    }
  }

  async putManifest(id: string, manifest: SnapshotManifest): Promise<void> {
    assertSnapshotId(id);
    const text = serializeManifest(manifest);
    if (sha256Text(text) !== id) throw new ValidationError(`manifest does not hash to snapshot id ${id}`, `snapshot ${id}`);
    try {
      await this.container.getBlockBlobClient(this.manifestName(id)).upload(text, Buffer.byteLength(text), { blobHTTPHeaders: { blobContentType: 'application/json' } });
    } catch (err) {
      throw storageError(err, `storing snapshot manifest ${id}`);
    }
  }

  async getManifest(id: string): Promise<SnapshotManifest | undefined> {
    assertSnapshotId(id);
    let text: string;
    try {
      text = (await this.container.getBlobClient(this.manifestName(id)).downloadToBuffer()).toString('utf8');
    } catch (err) {
      if (storageStatus(err) === 404) return undefined;
      throw storageError(err, `reading snapshot manifest ${id}`);
    }
    return parseManifest(id, text);
  }

  private objectName(digest: string): string {
    return `${this.prefix}/objects/${digest.slice(0, 2)}/${digest}`;
  }

  private manifestName(id: string): string {
    return `${this.prefix}/manifests/${id}.json`;
  }
}
