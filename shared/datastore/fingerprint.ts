import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { sha256File } from '../util/sha256-file';

/**
 * Content fingerprint of a file or folder: sha256 over every file's relative path, size and
 * content hash, in sorted order. Identical content gives an identical fingerprint wherever it lives.
 * Metadata is read synchronously (a step's output is usually a few files: each trip to the thread
 * pool would cost more than the call); contents are hashed by `sha256File`.
 */
export async function fingerprintPath(root: string): Promise<string> {
  const outer = createHash('sha256');
  const info = statSync(root);
  if (info.isFile()) {
    outer.update(`file\0${info.size}\0${await hashFile(root, info.size)}\n`);
    return outer.digest('hex');
  }
  for (const rel of listFiles(root)) {
    const full = path.join(root, rel);
    const size = statSync(full).size;
    outer.update(`${rel}\0${size}\0${await hashFile(full, size)}\n`);
  }
  return outer.digest('hex');
}

/** Relative paths of all regular files under `root`, sorted, with `/` separators. */
function listFiles(root: string): string[] {
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** sha256 of a file's content; `size`, when known, lets a small file be read in one call. */
async function hashFile(file: string, size = Number.MAX_SAFE_INTEGER): Promise<string> {
  return (await sha256File(file, size)).sha256;
}
