/**
 * Local files as the blob code sees them: a relative `/` path, size, and a stat stamp (mtime +
 * inode) that changes whenever the file is rewritten. Stamps let a reader trust a local folder
 * without hashing it again, and let an upload notice a file that changed under it.
 *
 * Listing uses the synchronous calls: this runs for every output and every upstream input of
 * every step, mostly on folders of a few files, where a synchronous stat costs a few µs of CPU
 * and its asynchronous form some tens (a round trip through the thread pool).
 */
import { readdirSync, statSync, type Stats } from 'node:fs';
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
export function listLocalFiles(root: string, field: string): LocalFile[] {
  const info = statOrUndefined(root);
  if (!info) throw new ValidationError(`${field}: ${root} does not exist`, field);
  if (info.isFile()) return [stamp(path.basename(root), root, info)];
  if (!info.isDirectory()) throw new ValidationError(`${field}: ${root} is neither a file nor a folder`, field);
  const files: LocalFile[] = [];
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() && !entry.isSymbolicLink()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const target = statOrUndefined(full);
    if (!target?.isFile()) continue; // dangling links and links to folders carry no file of their own
    files.push(stamp(path.relative(root, full).split(path.sep).join('/'), full, target));
  }
  return files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
}

/** True when every file is still there, unchanged (size, mtime, inode), and no file was added. */
export function unchangedSince(root: string, files: readonly Pick<LocalFile, 'rel' | 'size' | 'mtimeMs' | 'ino'>[]): boolean {
  let now: LocalFile[];
  try {
    now = listLocalFiles(root, 'folder');
  } catch {
    return false;
  }
  if (now.length !== files.length) return false;
  return now.every((f, i) => {
    const before = files[i]!;
    return f.rel === before.rel && f.size === before.size && f.mtimeMs === before.mtimeMs && f.ino === before.ino;
  });
}

/** Undefined when missing or unreadable (a dangling link, a link loop, no permission). */
function statOrUndefined(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch {
    return undefined;
  }
}

function stamp(rel: string, full: string, info: { size: number; mtimeMs: number; ino: number }): LocalFile {
  return { rel, path: full, size: info.size, mtimeMs: info.mtimeMs, ino: info.ino };
}
