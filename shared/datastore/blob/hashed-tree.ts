/**
 * A local file or folder with every file's content hash and the tree's fingerprint: sha256 over
 * each file's `path \0 size \0 hash` line in path order — the same formula as `fingerprintFolder`,
 * so for files up to 16 MiB the two agree; above that the file hash is the chunked one.
 * A small tree (most step outputs) is read once, on this thread, and its bytes are kept for the
 * upload: no round trip to the hash threads, no second read, and the blob is exactly what was hashed.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { contentHash } from './hash-pool';
import { listLocalTree, type FolderStamp, type LocalFile } from './local-files';

/** Trees up to this many bytes in all are read into memory (bounded: uploads may queue up). */
const SMALL_TREE_BYTES = 64 * 1024;

export interface HashedFile extends LocalFile {
  hash: string;
  /** The bytes that were hashed, kept for a file of a small tree. */
  content?: Buffer;
}

export interface HashedTree {
  files: HashedFile[];
  folders: FolderStamp[];
  fingerprint: string;
  totalBytes: number;
}

export async function hashLocalTree(root: string, field: string): Promise<HashedTree> {
  const listed = listLocalTree(root, field);
  const totalBytes = listed.files.reduce((n, f) => n + f.size, 0);
  const hash = totalBytes <= SMALL_TREE_BYTES ? readAndHash : hashOnThreads;
  const files = await Promise.all(listed.files.map(hash));
  return { files, folders: listed.folders, fingerprint: treeFingerprint(files.map((f) => ({ path: f.rel, size: f.size, hash: f.hash }))), totalBytes };
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

/** Synchronous, like the listing: small files, read once each. */
async function readAndHash(file: LocalFile): Promise<HashedFile> {
  const content = readFileSync(file.path);
  if (content.length !== file.size) throw new Error(`${file.path} changed while being hashed (${file.size} bytes listed, ${content.length} read)`);
  return { ...file, hash: createHash('sha256').update(content).digest('hex'), content };
}

async function hashOnThreads(file: LocalFile): Promise<HashedFile> {
  return { ...file, hash: await contentHash(file.path, file.size) };
}
