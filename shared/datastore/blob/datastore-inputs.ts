/**
 * Datastore data as local paths: a `uri_file` or `uri_folder` reference, or a committed upload
 * (a step output) checked against its manifest, materialized through the etag cache.
 */
import path from 'node:path';
import { ValidationError } from '../../errors';
import type { DataType } from '../../model/definition';
import { checkDatastorePath, datastorePathProblem, formatDatastoreUri, type DatastoreLocation } from '../datastore-uri';
import type { BlobCache, RemoteBlob } from './blob-cache';
import { mapLimit } from './concurrency';
import type { Datastore } from './datastore';
import { checkCommitted, MANIFEST_NAME } from './manifest';
import { storageError, storageStatus } from './storage-errors';

const DOWNLOAD_CONCURRENCY = 8;
/** `azureml/<run>/<step>/outputs/<name>[/sub]` and `LocalUpload/<sha256>[/sub]`: prefix and sub-path. */
const COMMITTED_OUTPUT = /^(azureml\/[^/]+\/[^/]+\/outputs\/[^/]+)(?:\/(.+))?$/;
const COMMITTED_LOCAL_UPLOAD = /^(LocalUpload\/[0-9a-f]{64})(?:\/(.+))?$/;

/**
 * Downloads a datastore reference under `dest` and returns the local path the step reads: the
 * file for `uri_file`, the folder for `uri_folder`. Missing → ValidationError naming `field` and the URI.
 */
export async function fetchReference(ds: Datastore, cache: BlobCache, location: DatastoreLocation, type: DataType, dest: string, field: string): Promise<string> {
  const uri = formatDatastoreUri(location);
  const committed = committedRoot(location.path) ?? ((await blobAt(ds, `${location.path}/${MANIFEST_NAME}`)) ? { prefix: location.path, sub: '' } : undefined);
  if (committed) return fetchCommitted(ds, cache, { ...committed, type }, dest, field);
  if (type === 'uri_file') {
    const blob = await blobAt(ds, location.path);
    if (!blob) {
      const hint = (await listUnder(ds, location.path)).length > 0 ? ' (it is a folder: declare the input as uri_folder)' : '';
      throw new ValidationError(`${field}: ${uri} does not exist (no blob "${location.path}" in datastore ${ds.name})${hint}`, field);
    }
    const file = path.join(dest, path.posix.basename(location.path));
    await cache.materialize(ds.name, ds.container, blob, file);
    return file;
  }
  const blobs = await listUnder(ds, location.path);
  if (blobs.length === 0) {
    const hint = (await blobAt(ds, location.path)) ? ' (it is a file: declare the input as uri_file)' : '';
    throw new ValidationError(`${field}: ${uri} does not exist (no blobs under "${location.path}/" in datastore ${ds.name})${hint}`, field);
  }
  await mapLimit(blobs, DOWNLOAD_CONCURRENCY, async ({ rel, blob }) => cache.materialize(ds.name, ds.container, blob, path.join(dest, ...rel.split('/'))));
  return dest;
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

/**
 * (Part of) a committed upload under `dest`: the manifest must be there (and match `fingerprint`
 * when given) and every file is checked against its hash. Incomplete → ValidationError saying so.
 */
export async function fetchCommitted(ds: Datastore, cache: BlobCache, ref: CommittedReference, dest: string, field: string): Promise<string> {
  const committed = await checkCommitted(ds.container, ref.prefix, ref.fingerprint);
  const uri = formatDatastoreUri({ datastore: ds.name, path: ref.sub ? `${ref.prefix}/${ref.sub}` : ref.prefix });
  if ('problem' in committed) throw new ValidationError(`${field}: ${uri}: ${committed.problem}`, field);
  const single = ref.type === 'uri_file' && ref.sub !== '';
  const wanted = committed.manifest.files.filter((f) => ref.sub === '' || (single ? f.path === ref.sub : f.path.startsWith(`${ref.sub}/`)));
  if (wanted.length === 0) throw new ValidationError(`${field}: ${uri} does not exist in its committed upload ${ref.prefix}`, field);
  await mapLimit(wanted, DOWNLOAD_CONCURRENCY, async (file) => {
    const rel = checkDatastorePath(file.path, `${field} (manifest entry)`);
    const local = single ? path.posix.basename(rel) : ref.sub ? rel.slice(ref.sub.length + 1) : rel;
    const blob: RemoteBlob = { name: `${ref.prefix}/${rel}`, etag: committed.etags.get(file.path)!, size: file.size };
    await cache.materialize(ds.name, ds.container, blob, path.join(dest, ...local.split('/')), file.hash);
  });
  return single ? path.join(dest, path.posix.basename(ref.sub)) : dest;
}

/** Paths Tributary writes with a manifest (outputs, local uploads): read without one, a partial upload would pass for data. */
function committedRoot(p: string): { prefix: string; sub: string } | undefined {
  const match = COMMITTED_OUTPUT.exec(p) ?? COMMITTED_LOCAL_UPLOAD.exec(p);
  return match ? { prefix: match[1]!, sub: match[2] ?? '' } : undefined;
}

async function blobAt(ds: Datastore, name: string): Promise<RemoteBlob | undefined> {
  try {
    const props = await ds.container.getBlobClient(name).getProperties();
    return { name, etag: props.etag ?? '', size: props.contentLength ?? 0 };
  } catch (err) {
    if (storageStatus(err) === 404) return undefined;
    throw storageError(err, `reading ${name} on datastore ${ds.name}`);
  }
}

/** Blobs under `folder/` with their path relative to it; folder markers (`x/`) skipped, unsafe names refused. */
async function listUnder(ds: Datastore, folder: string): Promise<{ rel: string; blob: RemoteBlob }[]> {
  const found: { rel: string; blob: RemoteBlob }[] = [];
  try {
    for await (const item of ds.container.listBlobsFlat({ prefix: `${folder}/` })) {
      const rel = item.name.slice(folder.length + 1);
      if (rel === '' || rel.endsWith('/')) continue;
      const problem = datastorePathProblem(rel);
      if (problem) throw new ValidationError(`blob ${JSON.stringify(item.name)} on datastore ${ds.name} cannot be downloaded: its path ${problem}`, 'blob');
      found.push({ rel, blob: { name: item.name, etag: item.properties.etag ?? '', size: item.properties.contentLength ?? 0 } });
    }
  } catch (err) {
    throw storageError(err, `listing ${folder}/ on datastore ${ds.name}`);
  }
  return found;
}
