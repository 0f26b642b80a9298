/**
 * Content-addressed storage for snapshots: file contents keyed by their sha256, and manifests
 * keyed by snapshot id. The local adapter lives here; the Blob adapter implements the same port.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, constants, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError, TransientError, ValidationError } from '../errors';
import { isMissing } from './fs-errors';
import { sha256File } from '../util/sha256-file';
import { mapLimit } from './map-limit';
import { assertSnapshotId, parseManifest, serializeManifest, sha256Text, SHA256_HEX, type SnapshotManifest } from './manifest';

/**
 * Port for content-addressed blobs. Contract (tested by test/snapshot/content-store-contract.ts):
 * - an object or manifest is visible only once complete: an interrupted write is never seen;
 * - `put` stores exactly bytes whose sha256 is `digest`, and throws TransientError when the file
 *   no longer hashes to it (it changed after it was hashed);
 * - a manifest is put only after all its objects, so a stored manifest means a complete snapshot;
 * - digests and ids are sha256 hex; anything else is a ValidationError.
 */
export interface ContentStore {
  /** The subset of `digests` already stored (one batch call, so a remote store can list or fan out). */
  has(digests: string[]): Promise<Set<string>>;
  put(digest: string, localFile: string): Promise<void>;
  /** Writes the object's bytes to `destFile` (mode unspecified: callers set it); NotFoundError when it is not stored. */
  get(digest: string, destFile: string): Promise<void>;
  putManifest(id: string, manifest: SnapshotManifest): Promise<void>;
  /** The manifest, or undefined when no snapshot has this id. */
  getManifest(id: string): Promise<SnapshotManifest | undefined>;
}

const SMALL_FILE = 1 << 20;

export function assertDigest(digest: string): void {
  if (!SHA256_HEX.test(digest)) throw new ValidationError(`content digest ${JSON.stringify(digest)} is not a sha256 hex digest`, 'digest');
}

/**
 * A folder: `objects/<aa>/<digest>` and `manifests/<id>.json`. Everything is written under a
 * temporary name in the same folder and renamed into place, so a crash mid-write leaves only a
 * `.tmp-*` file that no reader looks at. Objects are read-only; readers get copies.
 */
export class LocalContentStore implements ContentStore {
  constructor(readonly root: string) {}

  async has(digests: string[]): Promise<Set<string>> {
    digests.forEach(assertDigest);
    const present = await mapLimit(digests, 64, (d) => exists(this.objectPath(d)));
    return new Set(digests.filter((_, i) => present[i]));
  }

  async put(digest: string, localFile: string): Promise<void> {
    assertDigest(digest);
    const target = this.objectPath(digest);
    if (await exists(target)) return;
    await mkdir(path.dirname(target), { recursive: true });
    const temp = tempName(target);
    try {
      if ((await copyHashing(localFile, temp)) !== digest) throw new TransientError(`${localFile} changed while it was being snapshotted; submit again`);
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async get(digest: string, destFile: string): Promise<void> {
    assertDigest(digest);
    try {
      await copyFile(this.objectPath(digest), destFile, constants.COPYFILE_FICLONE);
    } catch (err) {
      if (isMissing(err) && !(await exists(this.objectPath(digest)))) {
        throw new NotFoundError(`content ${digest} is not in the snapshot store ${this.root}`, digest);
      }
      throw err;
    }
  }

  async putManifest(id: string, manifest: SnapshotManifest): Promise<void> {
    assertSnapshotId(id);
    const text = serializeManifest(manifest);
    if (sha256Text(text) !== id) throw new ValidationError(`manifest does not hash to snapshot id ${id}`, `snapshot ${id}`);
    const target = this.manifestPath(id);
    await mkdir(path.dirname(target), { recursive: true });
    const temp = tempName(target);
    try {
      await writeFile(temp, text);
      await rename(temp, target);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async getManifest(id: string): Promise<SnapshotManifest | undefined> {
    assertSnapshotId(id);
    let text: string;
    try {
      text = await readFile(this.manifestPath(id), 'utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
    return parseManifest(id, text);
  }

  objectPath(digest: string): string {
    return path.join(this.root, 'objects', digest.slice(0, 2), digest);
  }

  private manifestPath(id: string): string {
    return path.join(this.root, 'manifests', `${id}.json`);
  }
}

/**
 * Copies `source` to a new read-only `dest` and returns the sha256 of the bytes copied (not of
 * the source as it is now). Small files are read once and written; big ones are cloned
 * copy-on-write where the filesystem can, then hashed from the copy.
 */
async function copyHashing(source: string, dest: string): Promise<string> {
  const { size } = await stat(source);
  if (size < SMALL_FILE) {
    const bytes = await readFile(source);
    await writeFile(dest, bytes, { mode: 0o444, flag: 'wx' });
    return createHash('sha256').update(bytes).digest('hex');
  }
  await copyFile(source, dest, constants.COPYFILE_FICLONE);
  await chmod(dest, 0o444);
  return (await sha256File(dest, size)).sha256;
}

function tempName(target: string): string {
  return `${target}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (err) {
    if (isMissing(err)) return false;
    throw err;
  }
}
