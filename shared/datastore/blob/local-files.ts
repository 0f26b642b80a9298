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

/**
 * A folder's stat stamp (relative path, mtime, inode): its mtime changes whenever an entry is
 * added to it, removed or renamed, so stamps of a tree's folders and files tell whether listing
 * it again would find anything different — without listing it.
 */
export interface FolderStamp {
  rel: string;
  mtimeMs: number;
  ino: number;
}

export interface LocalTree {
  files: LocalFile[];
  /** The folders walked, the root first (`rel` empty); none for a file. */
  folders: FolderStamp[];
}

/** A file or folder: its files as `walkFolder` finds them, sorted by `rel`, and its folders. Missing → ValidationError naming `field`. */
export function listLocalTree(root: string, field: string): LocalTree {
  const info = statOrUndefined(root);
  if (!info) throw new ValidationError(`${field}: ${root} does not exist`, field);
  if (info.isFile()) return { files: [stamp(path.basename(root), root, info)], folders: [] };
  if (!info.isDirectory()) throw new ValidationError(`${field}: ${root} is neither a file nor a folder`, field);
  const walked = walkFolder(root, info);
  const files: LocalFile[] = [];
  for (const found of walked.files) {
    const target = found.stats ?? statOrUndefined(found.path);
    if (target?.isFile()) files.push(stamp(found.rel, found.path, target)); // else removed since it was listed
  }
  return { files, folders: walked.folders };
}

/** The files of `listLocalTree`. */
export function listLocalFiles(root: string, field: string): LocalFile[] {
  return listLocalTree(root, field).files;
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
export function walkFolder(root: string, rootStats: Stats): { files: FoundFile[]; folders: FolderStamp[] } {
  const files: FoundFile[] = [];
  const folders: FolderStamp[] = [];
  const walking = new Set<string>(); // device:inode of the folders from the root down to the current one
  const walk = (dir: string, rel: string, stats: Stats): void => {
    const id = `${stats.dev}:${stats.ino}`;
    if (walking.has(id)) return;
    walking.add(id);
    folders.push({ rel, mtimeMs: stats.mtimeMs, ino: stats.ino });
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const entryRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isFile()) files.push({ rel: entryRel, path: full });
      else if (entry.isDirectory() || entry.isSymbolicLink()) {
        const target = statOrUndefined(full);
        if (target?.isDirectory()) walk(full, entryRel, target);
        else if (target?.isFile() && entry.isSymbolicLink()) files.push({ rel: entryRel, path: full, stats: target });
      }
    }
    walking.delete(id);
  };
  walk(root, '', rootStats);
  return { files: files.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0)), folders };
}

type FileStamp = Pick<LocalFile, 'rel' | 'size' | 'mtimeMs' | 'ino'>;

/**
 * True when the folder holds the same files as when `before` was listed: each file unchanged
 * (size, mtime, inode), none added or removed. With the folders' stamps that costs a stat per
 * folder and file; without them (noted by an earlier version) the folder is listed again.
 */
export function unchangedSince(root: string, before: { files: readonly FileStamp[]; folders?: readonly FolderStamp[] }): boolean {
  if (!before.folders) return listedAsBefore(root, before.files);
  const at = (rel: string) => statOrUndefined(rel ? `${root}/${rel}` : root); // "/" works on Windows too, and costs no path.join
  return (
    before.folders.every((d) => sameStamp(at(d.rel), d)) &&
    before.files.every((f) => {
      const now = at(f.rel);
      return sameStamp(now, f) && now!.size === f.size;
    })
  );
}

function listedAsBefore(root: string, files: readonly FileStamp[]): boolean {
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

function sameStamp(now: Stats | undefined, before: { mtimeMs: number; ino: number }): boolean {
  return now !== undefined && now.mtimeMs === before.mtimeMs && now.ino === before.ino;
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
