/**
 * Datastore data as local paths, and its content identity. A reference is first planned — which
 * blobs, under which local names, with which content hash — then either materialized through the
 * etag cache or fingerprinted, so both agree on what the input is and fail the same way.
 * Committed uploads (step outputs, local-input uploads) are read through their manifest only:
 * without it a partial upload would pass for data.
 */
import path from 'node:path';
import { ValidationError } from '../../errors';
import type { DataType } from '../../model/definition';
import type { InputFingerprint } from '../data-plane';
import { datastorePathProblem, formatDatastoreUri, type DatastoreLocation } from '../datastore-uri';
import type { BlobCache, RemoteBlob } from './blob-cache';
import { mapLimit } from './concurrency';
import type { Datastore } from './datastore';
import { treeFingerprint } from './hashed-tree';
import { checkCommitted, MANIFEST_NAME } from './manifest';
import { storageError, storageStatus } from './storage-errors';

const DOWNLOAD_CONCURRENCY = 8;
/** `azureml/<run>/<step>/outputs/<name>[/sub]` and `LocalUpload/<sha256>[/sub]`: prefix and sub-path. */
const COMMITTED_OUTPUT = /^(azureml\/[^/]+\/[^/]+\/outputs\/[^/]+)(?:\/(.+))?$/;
const COMMITTED_LOCAL_UPLOAD = /^(LocalUpload\/[0-9a-f]{64})(?:\/(.+))?$/;

interface PlannedFile {
  /** Local path relative to the destination folder (for a single file: its name). */
  rel: string;
  blob: RemoteBlob;
  /** Content identity: the manifest's hash (checked on download), else `md5:<hex>` or `etag:<etag>`. */
  hash: string;
  verified: boolean;
}

interface ReferencePlan {
  files: PlannedFile[];
  /** One file, which the step gets as a path (`uri_file`); otherwise the step gets the folder. */
  single: boolean;
}

export interface CommittedReference {
  /** Folder holding `_tributary_complete.json`. */
  prefix: string;
  /** Part of it wanted ('' = all of it). */
  sub: string;
  /** Expected fingerprint of the whole upload, when the caller knows it. */
  fingerprint?: string;
  type: DataType;
}

/** Downloads a reference under `dest`; the local path the step reads (the file, or the folder). Missing → ValidationError naming `field`. */
export async function fetchReference(ds: Datastore, cache: BlobCache, location: DatastoreLocation, type: DataType, dest: string, field: string): Promise<string> {
  return materialize(ds, cache, await planReference(ds, location, type, field), dest);
}

/** (Part of) a committed upload under `dest`, every file checked against the manifest. Incomplete → ValidationError saying so. */
export async function fetchCommitted(ds: Datastore, cache: BlobCache, ref: CommittedReference, dest: string, field: string): Promise<string> {
  return materialize(ds, cache, await planCommitted(ds, ref, field), dest);
}

/** Content identity of a reference without downloading it (reuse keys): paths, sizes and hashes. */
export async function fingerprintReference(ds: Datastore, location: DatastoreLocation, type: DataType, field: string): Promise<InputFingerprint> {
  const plan = await planReference(ds, location, type, field);
  const files = plan.files.map((f) => ({ path: f.rel, size: f.blob.size, hash: f.hash })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { fingerprint: treeFingerprint(files), files };
}

async function planReference(ds: Datastore, location: DatastoreLocation, type: DataType, field: string): Promise<ReferencePlan> {
  const uri = formatDatastoreUri(location);
  const committed = committedRoot(location.path) ?? ((await blobAt(ds, `${location.path}/${MANIFEST_NAME}`)) ? { prefix: location.path, sub: '' } : undefined);
  if (committed) return planCommitted(ds, { ...committed, type }, field);
  if (type === 'uri_file') {
    const found = await blobAt(ds, location.path);
    if (!found) {
      const hint = (await listUnder(ds, location.path)).length > 0 ? ' (it is a folder: declare the input as uri_folder)' : '';
      throw new ValidationError(`${field}: ${uri} does not exist (no blob "${location.path}" in datastore ${ds.name})${hint}`, field);
    }
    return { files: [{ rel: path.posix.basename(location.path), blob: found.blob, hash: found.hash, verified: false }], single: true };
  }
  const listed = await listUnder(ds, location.path);
  if (listed.length === 0) {
    const hint = (await blobAt(ds, location.path)) ? ' (it is a file: declare the input as uri_file)' : '';
    throw new ValidationError(`${field}: ${uri} does not exist (no blobs under "${location.path}/" in datastore ${ds.name})${hint}`, field);
  }
  return { files: listed.map((f) => ({ ...f, verified: false })), single: false };
}

async function planCommitted(ds: Datastore, ref: CommittedReference, field: string): Promise<ReferencePlan> {
  const committed = await checkCommitted(ds.container, ref.prefix, ref.fingerprint);
  const uri = formatDatastoreUri({ datastore: ds.name, path: ref.sub ? `${ref.prefix}/${ref.sub}` : ref.prefix });
  if ('problem' in committed) throw new ValidationError(`${field}: ${uri}: ${committed.problem}`, field);
  const single = ref.type === 'uri_file' && ref.sub !== '';
  const wanted = committed.manifest.files.filter((f) => ref.sub === '' || (single ? f.path === ref.sub : f.path.startsWith(`${ref.sub}/`)));
  if (wanted.length === 0) throw new ValidationError(`${field}: ${uri} does not exist in its committed upload ${ref.prefix}`, field);
  const files = wanted.map((file) => {
    const problem = datastorePathProblem(file.path);
    if (problem) throw new ValidationError(`${field}: ${uri}: manifest entry ${JSON.stringify(file.path)} ${problem}`, field);
    const rel = single ? path.posix.basename(file.path) : ref.sub ? file.path.slice(ref.sub.length + 1) : file.path;
    return { rel, blob: { name: `${ref.prefix}/${file.path}`, etag: committed.etags.get(file.path)!, size: file.size }, hash: file.hash, verified: true };
  });
  return { files, single };
}

async function materialize(ds: Datastore, cache: BlobCache, plan: ReferencePlan, dest: string): Promise<string> {
  await mapLimit(plan.files, DOWNLOAD_CONCURRENCY, async (f) =>
    cache.materialize(ds.name, ds.container, f.blob, path.join(dest, ...f.rel.split('/')), f.verified ? f.hash : undefined),
  );
  return plan.single ? path.join(dest, plan.files[0]!.rel) : dest;
}

function committedRoot(p: string): { prefix: string; sub: string } | undefined {
  const match = COMMITTED_OUTPUT.exec(p) ?? COMMITTED_LOCAL_UPLOAD.exec(p);
  return match ? { prefix: match[1]!, sub: match[2] ?? '' } : undefined;
}

function identity(md5: Uint8Array | undefined, etag: string | undefined): string {
  return md5 && md5.length > 0 ? `md5:${Buffer.from(md5).toString('hex')}` : `etag:${etag ?? ''}`;
}

async function blobAt(ds: Datastore, name: string): Promise<{ blob: RemoteBlob; hash: string } | undefined> {
  try {
    const props = await ds.container.getBlobClient(name).getProperties();
    return { blob: { name, etag: props.etag ?? '', size: props.contentLength ?? 0 }, hash: identity(props.contentMD5, props.etag) };
  } catch (err) {
    if (storageStatus(err) === 404) return undefined;
    throw storageError(err, `reading ${name} on datastore ${ds.name}`);
  }
}

/** Blobs under `folder/` with their path relative to it; folder markers (`x/`) skipped, unsafe names refused. */
async function listUnder(ds: Datastore, folder: string): Promise<{ rel: string; blob: RemoteBlob; hash: string }[]> {
  const found: { rel: string; blob: RemoteBlob; hash: string }[] = [];
  try {
    for await (const item of ds.container.listBlobsFlat({ prefix: `${folder}/` })) {
      const rel = item.name.slice(folder.length + 1);
      if (rel === '' || rel.endsWith('/')) continue;
      const problem = datastorePathProblem(rel);
      if (problem) throw new ValidationError(`blob ${JSON.stringify(item.name)} on datastore ${ds.name} cannot be downloaded: its path ${problem}`, 'blob');
      const etag = item.properties.etag ?? '';
      found.push({ rel, blob: { name: item.name, etag, size: item.properties.contentLength ?? 0 }, hash: identity(item.properties.contentMD5, etag) });
    }
  } catch (err) {
    throw storageError(err, `listing ${folder}/ on datastore ${ds.name}`);
  }
  return found;
}
