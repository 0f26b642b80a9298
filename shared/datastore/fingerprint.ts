import { treeFingerprint, type HashedFile } from './blob/hashed-tree';
import { listLocalTree, type FolderStamp } from './blob/local-files';
import { sha256File } from '../util/sha256-file';

/** A folder's fingerprint, with what a note needs to trust the folder later without hashing it. */
export interface FingerprintedFolder {
  fingerprint: string;
  /** Every file, with its stat stamp and sha256. */
  files: HashedFile[];
  folders: FolderStamp[];
}

/**
 * Content fingerprint of a local output folder: sha256 over every file's relative path, size and
 * content sha256, in path order (`treeFingerprint`), for the files a step reading the folder sees
 * (`listLocalTree`). Identical content gives an identical fingerprint wherever it lives.
 * Metadata is read synchronously (a step's output is usually a few files: each trip to the thread
 * pool would cost more than the call); contents are hashed by `sha256File`.
 */
export async function fingerprintFolder(root: string, field: string): Promise<FingerprintedFolder> {
  const listed = listLocalTree(root, field);
  const files: HashedFile[] = [];
  for (const file of listed.files) files.push({ ...file, hash: (await sha256File(file.path, file.size)).sha256 });
  return { fingerprint: treeFingerprint(files.map((f) => ({ path: f.rel, size: f.size, hash: f.hash }))), files, folders: listed.folders };
}
