/**
 * A local file or folder with every file's content hash and the tree's fingerprint: sha256 over
 * each file's `path \0 size \0 hash` line in path order — the same formula as `fingerprintPath`,
 * so for files up to 16 MiB the two agree; above that the file hash is the chunked one.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { contentHash } from './hash-pool';
import { listLocalFiles, type LocalFile } from './local-files';

export interface HashedFile extends LocalFile {
  hash: string;
}

export interface HashedTree {
  files: HashedFile[];
  fingerprint: string;
  totalBytes: number;
}

export async function hashLocalTree(root: string, field: string): Promise<HashedTree> {
  const listed = await listLocalFiles(root, field);
  const files = await Promise.all(listed.map(async (f) => ({ ...f, hash: await contentHash(f.path, f.size) })));
  return { files, fingerprint: treeFingerprint(files.map((f) => ({ path: f.rel, size: f.size, hash: f.hash }))), totalBytes: files.reduce((n, f) => n + f.size, 0) };
}

export function treeFingerprint(files: readonly { path: string; size: number; hash: string }[]): string {
  const outer = createHash('sha256');
  for (const f of files) outer.update(`${f.path}\0${f.size}\0${f.hash}\n`);
  return outer.digest('hex');
}

/** True when the file at `file.path` still has the size, mtime and inode it was hashed with. */
export async function stillSame(file: LocalFile): Promise<boolean> {
  const now = await stat(file.path).catch(() => undefined);
  return now !== undefined && now.size === file.size && now.mtimeMs === file.mtimeMs && now.ino === file.ino;
}
