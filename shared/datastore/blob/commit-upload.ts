/**
 * Uploads hashed local files under a blob prefix with commit semantics: one listing finds what an
 * earlier upload left there; its manifest goes first, then its blobs that this upload does not
 * write; then the blobs, and the manifest LAST. An upload cut anywhere before the last write
 * leaves no manifest, so nothing takes the folder as complete. A caller that knows nothing was
 * ever written under the prefix says so (`fresh`) and saves the listing: the upload is then one
 * write per file and the manifest. A folder of one file whose bytes were kept when hashed is one
 * write: the blob carries the manifest in its metadata (see `./manifest`). The manifest's metadata
 * also records the etags the uploads answered with, so a file written over later is noticed.
 * A local file that changes while it is uploaded fails the commit (the manifest would lie).
 */
import type { BlockBlobUploadOptions, ContainerClient } from '@azure/storage-blob';
import { TributaryError } from '../../errors';
import { mapLimit } from './concurrency';
import { stillSame, type HashedFile } from './hashed-tree';
import { buildManifest, carriedManifestMetadata, manifestBlob, manifestMetadata, MANIFEST_NAME, type Manifest } from './manifest';
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
  /** Nothing was ever written under the prefix: there is no earlier upload to remove. */
  fresh?: boolean;
}

export async function commitUpload(container: ContainerClient, prefix: string, entries: CommitEntry[], options: CommitOptions = {}): Promise<Manifest> {
  if (!options.fresh) await removeEarlierUpload(container, prefix, new Set(entries.map((e) => e.blobRel)));
  const manifest = buildManifest(entries.map((e) => ({ path: e.blobRel, size: e.file.size, hash: e.file.hash })));
  const [only] = entries;
  if (entries.length === 1 && only!.file.content) {
    // The bytes uploaded are those hashed, so the manifest can go with them.
    await uploadFile(container, `${prefix}/${only!.blobRel}`, only!.file, { abortSignal: options.signal, metadata: carriedManifestMetadata(manifest) });
    options.onProgress?.(only!.file.size);
    return manifest;
  }
  const loaded = new Map<string, number>();
  const etags = new Map<string, string>();
  await mapLimit(entries, FILE_CONCURRENCY, async ({ blobRel, file }) => {
    const onProgress = (ev: { loadedBytes: number }) => {
      loaded.set(blobRel, ev.loadedBytes);
      options.onProgress?.([...loaded.values()].reduce((a, b) => a + b, 0));
    };
    const etag = await uploadFile(container, `${prefix}/${blobRel}`, file, { abortSignal: options.signal, onProgress });
    if (etag) etags.set(blobRel, etag);
  });
  const body = JSON.stringify(manifest, null, 1);
  try {
    await container.getBlockBlobClient(manifestBlob(prefix)).upload(body, Buffer.byteLength(body), {
      abortSignal: options.signal,
      blobHTTPHeaders: { blobContentType: 'application/json' },
      metadata: manifestMetadata(manifest, etags.size === entries.length ? etags : undefined),
    });
  } catch (err) {
    throw storageError(err, `writing ${manifestBlob(prefix)}`);
  }
  return manifest;
}

/**
 * One file to one blob: from the bytes that were hashed when they were kept, else from the file,
 * checked afterwards to be the one that was hashed. Returns the blob's etag.
 */
async function uploadFile(container: ContainerClient, name: string, file: HashedFile, options: BlockBlobUploadOptions): Promise<string | undefined> {
  const blob = container.getBlockBlobClient(name);
  let written: { etag?: string };
  try {
    written = file.content
      ? await blob.upload(file.content, file.content.length, options)
      : await blob.uploadFile(file.path, { ...options, blockSize: BLOCK_SIZE, concurrency: BLOCK_CONCURRENCY });
  } catch (err) {
    throw storageError(err, `uploading ${file.path} to ${name}`);
  }
  if (!file.content && !(await stillSame(file))) {
    throw new TributaryError('Conflict', 409, `${file.path} changed while it was being uploaded to ${name}; the upload was not committed (did a step write to its input?)`);
  }
  return written.etag;
}

/** Uncommits an earlier upload under the prefix (its manifest first), then removes its blobs not in `keep`. */
async function removeEarlierUpload(container: ContainerClient, prefix: string, keep: Set<string>): Promise<void> {
  const earlier: string[] = [];
  try {
    for await (const item of container.listBlobsFlat({ prefix: `${prefix}/` })) earlier.push(item.name.slice(prefix.length + 1));
  } catch (err) {
    throw storageError(err, `listing ${prefix}/`);
  }
  if (earlier.includes(MANIFEST_NAME)) await removeBlob(container, manifestBlob(prefix), `removing the old manifest of ${prefix}`);
  for (const rel of earlier) {
    if (!keep.has(rel) && rel !== MANIFEST_NAME) await removeBlob(container, `${prefix}/${rel}`, `cleaning ${prefix}/`);
  }
}

async function removeBlob(container: ContainerClient, name: string, doing: string): Promise<void> {
  try {
    await container.getBlobClient(name).deleteIfExists();
  } catch (err) {
    throw storageError(err, doing);
  }
}
