/**
 * The note a producer leaves next to its local output folder (`<folder>.tributary.json`): the
 * output's URI, fingerprint and every file's hash and stat stamp. A consumer on the same machine
 * trusts the folder — without hashing or downloading — when the note matches the record and no
 * file changed since; otherwise it reads the datastore. The note also lets a later process finish
 * an upload that an earlier one did not.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { OutputRecord } from '../../store/records';
import type { HashedFile } from './hashed-tree';
import { unchangedSince } from './local-files';

const NoteSchema = z.object({
  uri: z.string(),
  fingerprint: z.string(),
  files: z.array(z.object({ rel: z.string(), size: z.number(), mtimeMs: z.number(), ino: z.number(), hash: z.string() })),
});
type Note = z.infer<typeof NoteSchema>;

function noteFile(folder: string): string {
  return `${folder}.tributary.json`;
}

export async function writeLocalNote(folder: string, uri: string, fingerprint: string, files: readonly HashedFile[]): Promise<void> {
  const note: Note = { uri, fingerprint, files: files.map(({ rel, size, mtimeMs, ino, hash }) => ({ rel, size, mtimeMs, ino, hash })) };
  const tmp = `${noteFile(folder)}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(note));
  await rename(tmp, noteFile(folder));
}

/** The folder's files (hashes included) when it still holds exactly the recorded output, else undefined. */
export async function trustedLocalOutput(folder: string, record: OutputRecord): Promise<HashedFile[] | undefined> {
  let note: Note;
  try {
    note = NoteSchema.parse(JSON.parse(await readFile(noteFile(folder), 'utf8')));
  } catch {
    return undefined;
  }
  if (note.uri !== record.uri || note.fingerprint !== record.fingerprint) return undefined;
  if (!(await unchangedSince(folder, note.files))) return undefined;
  return note.files.map((f) => ({ ...f, path: path.join(folder, ...f.rel.split('/')) }));
}
