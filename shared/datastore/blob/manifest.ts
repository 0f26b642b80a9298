/**
 * The commit marker of an uploaded folder: `_tributary_complete.json`, written LAST, listing every
 * blob (path relative to the folder, size, content hash) and the fingerprint. A folder without a
 * valid manifest, or whose blobs do not match it, is incomplete: never read, never reused.
 */
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

/** The manifest under `prefix`, or undefined when there is none or it is not a valid one. */
export async function readManifest(container: ContainerClient, prefix: string): Promise<Manifest | undefined> {
  let text: string;
  try {
    text = (await container.getBlobClient(manifestBlob(prefix)).downloadToBuffer()).toString('utf8');
  } catch (err) {
    if (storageStatus(err) === 404) return undefined;
    throw storageError(err, `reading ${manifestBlob(prefix)}`);
  }
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(text));
    return parsed.success && parsed.data.fingerprint === treeFingerprint(parsed.data.files) ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The committed manifest under `prefix` when the folder is complete — manifest present, with the
 * expected fingerprint (when given), and every listed blob present with its size — else a reason.
 */
export async function checkCommitted(
  container: ContainerClient,
  prefix: string,
  fingerprint?: string,
): Promise<{ manifest: Manifest; etags: Map<string, string> } | { problem: string }> {
  const manifest = await readManifest(container, prefix);
  if (!manifest) return { problem: `${prefix} is incomplete: it has no valid ${MANIFEST_NAME} (its upload did not finish)` };
  if (fingerprint && manifest.fingerprint !== fingerprint) {
    return { problem: `${prefix} holds different content than recorded (fingerprint ${manifest.fingerprint.slice(0, 12)}…, expected ${fingerprint.slice(0, 12)}…)` };
  }
  const blobs = new Map<string, { size: number; etag: string }>();
  try {
    for await (const item of container.listBlobsFlat({ prefix: `${prefix}/` })) {
      blobs.set(item.name.slice(prefix.length + 1), { size: item.properties.contentLength ?? -1, etag: item.properties.etag ?? '' });
    }
  } catch (err) {
    throw storageError(err, `listing ${prefix}/`);
  }
  const etags = new Map<string, string>();
  for (const file of manifest.files) {
    const blob = blobs.get(file.path);
    if (!blob || blob.size !== file.size) return { problem: `${prefix} is incomplete: ${file.path} is ${blob ? `${blob.size} bytes, expected ${file.size}` : 'missing'}` };
    etags.set(file.path, blob.etag);
  }
  return { manifest, etags };
}
