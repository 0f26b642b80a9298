/**
 * Local files as the blob code sees them: a relative `/` path, size, and a stat stamp (mtime +
 * inode) that changes whenever the file is rewritten. Stamps let a reader trust a local folder
 * without hashing it again, and let an upload notice a file that changed under it.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../../errors';

export interface LocalFile {
  /** Relative to the listed root, `/`-separated. */
  rel: string;
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
}

/** A file or folder: its regular files (symlinks to files included), sorted by `rel`. Missing → ValidationError naming `field`. */
export async function listLocalFiles(root: string, field: string): Promise<LocalFile[]> {
  const info = await stat(root).catch(() => {
    throw new ValidationError(`${field}: ${root} does not exist`, field);
  });
  if (info.isFile()) return [stamp(path.basename(root), root, info)];
  if (!info.isDirectory()) throw new ValidationError(`${field}: ${root} is neither a file nor a folder`, field);
  const files: LocalFile[] = [];
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const target = await stat(full).catch(() => undefined);
    if (!target?.isFile()) continue; // dangling links and links to folders carry no file of their own
    files.push(stamp(path.relative(root, full).split(path.sep).join('/'), full, target));
  }
  return files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** True when every file is still there, unchanged (size, mtime, inode), and no file was added. */
export async function unchangedSince(root: string, files: readonly Pick<LocalFile, 'rel' | 'size' | 'mtimeMs' | 'ino'>[]): Promise<boolean> {
  const now = await listLocalFiles(root, 'folder').catch(() => undefined);
  if (!now || now.length !== files.length) return false;
  return now.every((f, i) => {
    const before = files[i]!;
    return f.rel === before.rel && f.size === before.size && f.mtimeMs === before.mtimeMs && f.ino === before.ino;
  });
}

function stamp(rel: string, full: string, info: { size: number; mtimeMs: number; ino: number }): LocalFile {
  return { rel, path: full, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
}
