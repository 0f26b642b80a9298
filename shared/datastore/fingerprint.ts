import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Content fingerprint of a file or folder: sha256 over every file's relative path, size and
 * content hash, in sorted order. Identical content gives an identical fingerprint wherever it lives.
 */
export async function fingerprintPath(root: string): Promise<string> {
  const outer = createHash('sha256');
  const info = await stat(root);
  if (info.isFile()) {
    outer.update(`file\0${info.size}\0${await hashFile(root, info.size)}\n`);
    return outer.digest('hex');
  }
  for (const rel of await listFiles(root)) {
    const full = path.join(root, rel);
    const size = (await stat(full)).size;
    outer.update(`${rel}\0${size}\0${await hashFile(full, size)}\n`);
  }
  return outer.digest('hex');
}

/** Relative paths of all regular files under `root`, sorted, with `/` separators. */
export async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.relative(root, path.join(e.parentPath, e.name)).split(path.sep).join('/'))
    .sort();
}

/** Files up to this size are read whole: a stream's open/read/close round trips cost more than they save. */
const WHOLE_READ_BYTES = 1024 * 1024;

/** sha256 of a file's content; `size`, when known, lets a small file be read in one call. */
export async function hashFile(file: string, size?: number): Promise<string> {
  if (size !== undefined && size <= WHOLE_READ_BYTES) return createHash('sha256').update(await readFile(file)).digest('hex');
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
