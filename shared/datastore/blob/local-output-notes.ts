/**
 * What a producer notes about its local output folders: per output, its URI, fingerprint and every
 * file's hash and stat stamp. A consumer on the same machine trusts a folder — without hashing or
 * downloading — when its note matches the record and no file changed since; otherwise it reads the
 * datastore. Notes also let a later process finish an upload an earlier one did not and, written
 * before any upload starts, tell a first upload of an output from a repeated one.
 *
 * A run's notes are lines appended to one file, `runs/<runId>/output-notes.jsonl`, the last line
 * for an output winning: creating a file per output cost more than all the rest of the note (a
 * new inode is the dearest thing a step does to the file system). Each process keeps what it has
 * read of a file and reads only what was appended since. A line cut short by a crash is skipped.
 * (Folders persisted by earlier versions, with a `<folder>.tributary.json` note, are not trusted:
 * their consumers read the datastore.)
 */
import { appendFileSync, closeSync, mkdirSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { OutputRecord } from '../../store/records';
import type { HashedFile } from './hashed-tree';
import { unchangedSince } from './local-files';

const NOTES_FILE = 'output-notes.jsonl';
/** Runs whose notes a process keeps (a long-lived host sees many runs). */
const KEPT_RUNS = 16;

const NoteSchema = z.object({
  uri: z.string(),
  fingerprint: z.string(),
  files: z.array(z.object({ rel: z.string(), size: z.number(), mtimeMs: z.number(), ino: z.number(), hash: z.string() })),
});
type Note = z.infer<typeof NoteSchema>;

interface ReadNotes {
  /** Bytes of the file read so far (up to its last complete line). */
  read: number;
  byUri: Map<string, Note>;
}

export class LocalOutputNotes {
  /** Notes file → what this process has read of it. */
  private readonly files = new Map<string, ReadNotes>();

  constructor(private readonly runsDir: string) {}

  /** True when an output was persisted before under this URI (its note outlives the folder's contents). */
  has(runId: string, uri: string): boolean {
    return this.notesOf(runId).has(uri);
  }

  write(runId: string, uri: string, fingerprint: string, files: readonly HashedFile[]): void {
    const note: Note = { uri, fingerprint, files: files.map(({ rel, size, mtimeMs, ino, hash }) => ({ rel, size, mtimeMs, ino, hash })) };
    const file = this.notesFile(runId);
    // Starting on a new line too: a line a crash cut short never swallows the next one.
    const line = `\n${JSON.stringify(note)}\n`;
    try {
      appendFileSync(file, line);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      mkdirSync(path.dirname(file), { recursive: true });
      appendFileSync(file, line);
    }
  }

  /** The folder's files (hashes included) when it still holds exactly the recorded output, else undefined. */
  trusted(runId: string, folder: string, record: OutputRecord): HashedFile[] | undefined {
    const note = this.notesOf(runId).get(record.uri);
    if (!note || note.fingerprint !== record.fingerprint || !unchangedSince(folder, note.files)) return undefined;
    return note.files.map((f) => ({ ...f, path: path.join(folder, ...f.rel.split('/')) }));
  }

  private notesFile(runId: string): string {
    return path.join(this.runsDir, runId, NOTES_FILE);
  }

  /** The run's notes by URI, reading what was appended since the last look. */
  private notesOf(runId: string): Map<string, Note> {
    const file = this.notesFile(runId);
    const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    let known = this.files.get(file);
    if (!known || size < known.read) {
      known = { read: 0, byUri: new Map() }; // first look, or the file was replaced
      this.files.set(file, known);
      if (this.files.size > KEPT_RUNS) this.files.delete(this.files.keys().next().value!);
    }
    if (size > known.read) known.read += readLines(file, known.read, size, known.byUri);
    return known.byUri;
  }
}

/** Parses the complete lines in bytes [from, to) of the file into `byUri`; returns the bytes consumed. */
function readLines(file: string, from: number, to: number, byUri: Map<string, Note>): number {
  const buffer = Buffer.alloc(to - from);
  const fd = openSync(file, 'r');
  let bytes: Buffer;
  try {
    bytes = buffer.subarray(0, readSync(fd, buffer, 0, buffer.length, from));
  } finally {
    closeSync(fd);
  }
  const consumed = bytes.lastIndexOf(0x0a) + 1;
  for (const line of bytes.subarray(0, consumed).toString('utf8').split('\n')) {
    if (!line) continue;
    try {
      const note = NoteSchema.parse(JSON.parse(line));
      byUri.set(note.uri, note);
    } catch {
      // cut short by a crash while it was written
    }
  }
  return consumed;
}
