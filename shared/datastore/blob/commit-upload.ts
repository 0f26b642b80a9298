/**
 * Uploads hashed local files under a blob prefix with commit semantics: the old manifest goes
 * first, then the blobs, then leftovers of earlier attempts, and the manifest LAST. An upload cut
 * anywhere before the last write leaves no manifest, so nothing takes the folder as complete.
 * A local file that changes while it is uploaded fails the commit (the manifest would lie).
 */
import type { ContainerClient } from '@azure/storage-blob';
import { TributaryError } from '../../errors';
import { mapLimit } from './concurrency';
import { stillSame, type HashedFile } from './hashed-tree';
import { manifestMetadata } from './committed-listing';
import { buildManifest, manifestBlob, MANIFEST_NAME, type Manifest } from './manifest';
import { storageError } from './storage-errors';

export const BLOCK_SIZE = 8 * 1024 * 1024;
const FILE_CONCURRENCY = 4;
const BLOCK_CONCURRENCY = 4;

export interface CommitEntry {
  /** Blob path relative to the prefix. */
  blobRel: string;
  file: HashedFile;
}

export interface CommitOptions {
  signal?: AbortSignal;
  /** Total bytes uploaded so far. */
  onProgress?: (loadedBytes: number) => void;
}

export async function commitUpload(container: ContainerClient, prefix: string, entries: CommitEntry[], options: CommitOptions = {}): Promise<Manifest> {
  await container.getBlobClient(manifestBlob(prefix)).deleteIfExists().catch((err: unknown) => {
    throw storageError(err, `removing the old manifest of ${prefix}`);
  });
  const loaded = new Map<string, number>();
  await mapLimit(entries, FILE_CONCURRENCY, async ({ blobRel, file }) => {
    const name = `${prefix}/${blobRel}`;
    try {
      await container.getBlockBlobClient(name).uploadFile(file.path, {
        blockSize: BLOCK_SIZE,
        concurrency: BLOCK_CONCURRENCY,
        abortSignal: options.signal,
        onProgress: (ev) => {
          loaded.set(blobRel, ev.loadedBytes);
          options.onProgress?.([...loaded.values()].reduce((a, b) => a + b, 0));
        },
      });
    } catch (err) {
      throw storageError(err, `uploading ${file.path} to ${name}`);
    }
    if (!(await stillSame(file))) {
      throw new TributaryError('Conflict', 409, `${file.path} changed while it was being uploaded to ${name}; the upload was not committed (did a step write to its input?)`);
    }
  });
  await removeLeftovers(container, prefix, new Set(entries.map((e) => e.blobRel)));
  const manifest = buildManifest(entries.map((e) => ({ path: e.blobRel, size: e.file.size, hash: e.file.hash })));
  const body = JSON.stringify(manifest, null, 1);
  try {
    await container.getBlockBlobClient(manifestBlob(prefix)).upload(body, Buffer.byteLength(body), {
      abortSignal: options.signal,
      blobHTTPHeaders: { blobContentType: 'application/json' },
      metadata: manifestMetadata(manifest),
    });
  } catch (err) {
    throw storageError(err, `writing ${manifestBlob(prefix)}`);
  }
  return manifest;
}

/** Blobs under the prefix from an earlier, different upload (not in `keep`, not the manifest). */
async function removeLeftovers(container: ContainerClient, prefix: string, keep: Set<string>): Promise<void> {
  try {
    for await (const item of container.listBlobsFlat({ prefix: `${prefix}/` })) {
      const rel = item.name.slice(prefix.length + 1);
      if (!keep.has(rel) && rel !== MANIFEST_NAME) await container.getBlobClient(item.name).deleteIfExists();
    }
  } catch (err) {
    throw storageError(err, `cleaning ${prefix}/`);
  }
}
