/**
 * The commit marker of an uploaded folder: `_tributary_complete.json`, written LAST, listing every
 * blob (path relative to the folder, size, content hash) and the fingerprint. A folder of one small
 * file commits in one write instead: that blob carries the manifest in its metadata (its hash,
 * the fingerprint, when and how it was hashed), so it cannot exist without it. A folder without a
 * valid manifest, or whose blobs do not match it, is incomplete: never read, never reused.
 *
 * A file replaced after the commit (an upload over it) keeps the manifest but not its etag: the
 * manifest's metadata records a digest of the etags its blobs had when they were written, which a
 * listing shows again for free. A one-file commit needs none: writing its blob again replaces the
 * metadata that made it a commit (a plain upload leaves none), so it is no longer one.
 */
import { createHash } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import { z } from 'zod';
import { HASH_ALGORITHM } from './hash-pool';
import { treeFingerprint } from './hashed-tree';
import { storageError, storageStatus } from './storage-errors';

export const MANIFEST_NAME = '_tributary_complete.json';

const ManifestSchema = z.object({
  version: z.literal(1),
  fingerprint: z.string(),
  hashAlgorithm: z.string(),
  totalBytes: z.number().int().nonnegative(),
  files: z.array(z.object({ path: z.string(), size: z.number().int().nonnegative(), hash: z.string() })),
  completedAt: z.string(),
});
export type Manifest = z.infer<typeof ManifestSchema>;
export type ManifestFile = Manifest['files'][number];

export function buildManifest(files: ManifestFile[]): Manifest {
  return {
    version: 1,
    fingerprint: treeFingerprint(files),
    hashAlgorithm: HASH_ALGORITHM,
    totalBytes: files.reduce((n, f) => n + f.size, 0),
    files,
    completedAt: new Date().toISOString(),
  };
}

export function manifestBlob(prefix: string): string {
  return `${prefix}/${MANIFEST_NAME}`;
}

/** Metadata key of a one-file commit's blob that holds the file's content hash; the other keys complete its manifest. */
export const CARRIED_HASH_KEY = 'filehash';

/** Metadata key of a manifest blob that holds `etagDigest` of the committed blobs (missing on manifests of earlier versions). */
export const ETAGS_KEY = 'etags';

/**
 * Metadata keys on a manifest, or on the blob of a one-file commit (Azure metadata names are
 * case-insensitive identifiers); `etags`: the committed blobs' etags by path, for a manifest.
 */
export function manifestMetadata(manifest: Manifest, etags?: ReadonlyMap<string, string>): Record<string, string> {
  const bytes = manifest.files.reduce((sum, f) => sum + f.size, 0);
  return { fingerprint: manifest.fingerprint, files: String(manifest.files.length), bytes: String(bytes), ...(etags ? { [ETAGS_KEY]: etagDigest(etags) } : {}) };
}

/**
 * sha256 over each blob's path and etag, in path order. Etags are compared without the quotes an
 * upload response puts around them (a listing may give them bare).
 */
export function etagDigest(etags: Iterable<readonly [string, string]>): string {
  const sorted = [...etags].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const hash = createHash('sha256');
  for (const [rel, etag] of sorted) hash.update(`${rel}\0${etag.replace(/^W\//, '').replace(/^"(.*)"$/, '$1')}\n`);
  return hash.digest('hex');
}

/** The metadata that makes a blob the one-file commit of `manifest`. */
export function carriedManifestMetadata(manifest: Manifest): Record<string, string> {
  const [file] = manifest.files;
  return { ...manifestMetadata(manifest), [CARRIED_HASH_KEY]: file!.hash, hashalgorithm: manifest.hashAlgorithm, completedat: manifest.completedAt };
}

/** The manifest a lone blob (`rel`, `size` bytes) carries in its metadata, if it is a valid one. */
function carriedManifest(rel: string, size: number, metadata: Record<string, string>): Manifest | undefined {
  const { [CARRIED_HASH_KEY]: hash, hashalgorithm: hashAlgorithm, completedat: completedAt, fingerprint } = metadata;
  if (!hash || !hashAlgorithm || !completedAt || !fingerprint) return undefined;
  const files = [{ path: rel, size, hash }];
  return fingerprint === treeFingerprint(files) ? { version: 1, fingerprint, hashAlgorithm, totalBytes: size, files, completedAt } : undefined;
}

interface ListedBlob {
  size: number;
  etag: string;
}

/**
 * What is under `prefix`, from one listing: its blobs, and its manifest — the manifest blob's
 * (then read), or the one a lone blob carries. Undefined manifest: none, or not a valid one.
 */
async function readCommit(container: ContainerClient, prefix: string): Promise<{ manifest?: Manifest; committedEtags?: string; blobs: Map<string, ListedBlob> }> {
  const blobs = new Map<string, ListedBlob>();
  let manifestMetadataListed: Record<string, string> | undefined;
  let carried: Manifest | undefined;
  try {
    for await (const item of container.listBlobsFlat({ prefix: `${prefix}/`, includeMetadata: true })) {
      const rel = item.name.slice(prefix.length + 1);
      if (rel === MANIFEST_NAME) {
        manifestMetadataListed = item.metadata ?? {};
        continue;
      }
      const size = item.properties.contentLength ?? -1;
      blobs.set(rel, { size, etag: item.properties.etag ?? '' });
      if (item.metadata?.[CARRIED_HASH_KEY]) carried = carriedManifest(rel, size, item.metadata);
    }
  } catch (err) {
    throw storageError(err, `listing ${prefix}/`);
  }
  if (manifestMetadataListed) return { manifest: await downloadManifest(container, prefix), committedEtags: manifestMetadataListed[ETAGS_KEY], blobs };
  return { manifest: blobs.size === 1 ? carried : undefined, blobs };
}

async function downloadManifest(container: ContainerClient, prefix: string): Promise<Manifest | undefined> {
  try {
    return parseManifest((await container.getBlobClient(manifestBlob(prefix)).downloadToBuffer()).toString('utf8'));
  } catch (err) {
    if (storageStatus(err) === 404) return undefined; // removed since the listing
    throw storageError(err, `reading ${manifestBlob(prefix)}`);
  }
}

function parseManifest(text: string): Manifest | undefined {
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.fingerprint === treeFingerprint(parsed.data.files) ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** The manifest under `prefix`, or undefined when there is none or it is not a valid one. */
export async function readManifest(container: ContainerClient, prefix: string): Promise<Manifest | undefined> {
  return (await readCommit(container, prefix)).manifest;
}

/**
 * The committed manifest under `prefix` when the folder is complete — manifest present, with the
 * expected fingerprint (when given), every listed blob present with its size and, when the
 * manifest recorded them, the etags it was committed with — else a reason.
 */
export async function checkCommitted(
  container: ContainerClient,
  prefix: string,
  fingerprint?: string,
): Promise<{ manifest: Manifest; etags: Map<string, string> } | { problem: string }> {
  const { manifest, committedEtags, blobs } = await readCommit(container, prefix);
  if (!manifest) return { problem: `${prefix} is incomplete: it has no valid ${MANIFEST_NAME} (its upload did not finish)` };
  if (fingerprint && manifest.fingerprint !== fingerprint) {
    return { problem: `${prefix} holds different content than recorded (fingerprint ${manifest.fingerprint.slice(0, 12)}…, expected ${fingerprint.slice(0, 12)}…)` };
  }
  const etags = new Map<string, string>();
  for (const file of manifest.files) {
    const blob = blobs.get(file.path);
    if (!blob || blob.size !== file.size) return { problem: `${prefix} is incomplete: ${file.path} is ${blob ? `${blob.size} bytes, expected ${file.size}` : 'missing'}` };
    etags.set(file.path, blob.etag);
  }
  if (committedEtags !== undefined && committedEtags !== etagDigest(etags)) {
    return { problem: `${prefix} was changed after it was committed: a file in it was written again (its etag is not the one recorded at the commit)` };
  }
  return { manifest, etags };
}
