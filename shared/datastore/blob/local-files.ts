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

/** A file or folder: its files as `filesUnder` finds them, sorted by `rel`. Missing → ValidationError naming `field`. */
export function listLocalFiles(root: string, field: string): LocalFile[] {
  const info = statOrUndefined(root);
  if (!info) throw new ValidationError(`${field}: ${root} does not exist`, field);
  if (info.isFile()) return [stamp(path.basename(root), root, info)];
  if (!info.isDirectory()) throw new ValidationError(`${field}: ${root} is neither a file nor a folder`, field);
  const files: LocalFile[] = [];
  for (const found of filesUnder(root, info)) {
    const target = found.stats ?? statOrUndefined(found.path);
    if (target?.isFile()) files.push(stamp(found.rel, found.path, target)); // else removed since it was listed
  }
  return files;
}

export interface FoundFile {
  /** Relative to the root, `/`-separated. */
  rel: string;
  path: string;
  /** The target's stats, for a file reached through a symlink (the walk had to look). */
  stats?: Stats;
}

/**
 * The files under a folder as a process reading it sees them, sorted by `rel`: regular files,
 * symlinks to files, and the contents of symlinked folders, under the link's name. Dangling links
 * and links to other kinds of file carry no file. A folder that is already being walked — one
 * reached again through a link back into itself or an ancestor — is skipped rather than rejected:
 * every file under it is listed once already (under its first path), and a reader following that
 * link would only go round the same files again (as `find -L` does, which warns and goes on).
 */
export function filesUnder(root: string, rootStats: Stats): FoundFile[] {
  const found: FoundFile[] = [];
  const walking = new Set<string>(); // device:inode of the folders from the root down to the current one
  const walk = (dir: string, rel: string, stats: Stats): void => {
    const id = `${stats.dev}:${stats.ino}`;
    if (walking.has(id)) return;
    walking.add(id);
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const entryRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isFile()) found.push({ rel: entryRel, path: full });
      else if (entry.isDirectory() || entry.isSymbolicLink()) {
        const target = statOrUndefined(full);
        if (target?.isDirectory()) walk(full, entryRel, target);
        else if (target?.isFile() && entry.isSymbolicLink()) found.push({ rel: entryRel, path: full, stats: target });
      }
    }
    walking.delete(id);
  };
  walk(root, '', rootStats);
  return found.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
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
