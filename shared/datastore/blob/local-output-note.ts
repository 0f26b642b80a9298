/**
 * The note a producer leaves next to its local output folder (`<folder>.tributary.json`): the
 * output's URI, fingerprint and every file's hash and stat stamp. A consumer on the same machine
 * trusts the folder — without hashing or downloading — when the note matches the record and no
 * file changed since; otherwise it reads the datastore. The note also lets a later process finish
 * an upload that an earlier one did not, and, written before any upload starts, tells a first
 * upload of an output from a repeated one. Notes are small files read and written once per step
 * and per input: synchronously, which costs a fraction of the asynchronous calls' CPU.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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

/** True when an output was persisted from this folder before (its note outlives the folder's contents). */
export function hasLocalNote(folder: string): boolean {
  return existsSync(noteFile(folder));
}

export function writeLocalNote(folder: string, uri: string, fingerprint: string, files: readonly HashedFile[]): void {
  const note: Note = { uri, fingerprint, files: files.map(({ rel, size, mtimeMs, ino, hash }) => ({ rel, size, mtimeMs, ino, hash })) };
  const tmp = `${noteFile(folder)}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(note));
  renameSync(tmp, noteFile(folder));
}

/** The folder's files (hashes included) when it still holds exactly the recorded output, else undefined. */
export function trustedLocalOutput(folder: string, record: OutputRecord): HashedFile[] | undefined {
  let note: Note;
  try {
    note = NoteSchema.parse(JSON.parse(readFileSync(noteFile(folder), 'utf8')));
  } catch {
    return undefined;
  }
  if (note.uri !== record.uri || note.fingerprint !== record.fingerprint) return undefined;
  if (!unchangedSince(folder, note.files)) return undefined;
  return note.files.map((f) => ({ ...f, path: path.join(folder, ...f.rel.split('/')) }));
}
