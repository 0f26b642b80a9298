/**
 * What a producer notes about its local output folders: per output, its URI, fingerprint, every
 * file's hash and stat stamp, and its folders' stamps (see `unchangedSince`). A consumer on the
 * same machine trusts a folder — without hashing or downloading — when its note matches the
 * record and no file changed since; otherwise it reads the datastore (the local-folder plane,
 * which notes its outputs here too, hashes the folder again). Notes also let a later process
 * finish an upload an earlier one did not and, written before any upload starts, tell a first
 * upload of an output from a repeated one.
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
import type { OutputRecord } from '../../store/records';
import type { HashedFile } from './hashed-tree';
import { unchangedSince, type FolderStamp } from './local-files';

const NOTES_FILE = 'output-notes.jsonl';
/** Runs whose notes a process keeps (a long-lived host sees many runs). */
const KEPT_RUNS = 16;

interface Note {
  uri: string;
  fingerprint: string;
  files: { rel: string; size: number; mtimeMs: number; ino: number; hash: string }[];
  /** Missing in notes of earlier versions. */
  folders?: FolderStamp[];
}

interface ReadNotes {
  /** Bytes of the file read so far (up to its last complete line). */
  read: number;
  byUri: Map<string, Note>;
}

export class LocalOutputNotes {
  /** Run → what this process has read of its notes file. */
  private readonly read = new Map<string, ReadNotes>();

  constructor(private readonly runsDir: string) {}

  /** True when an output was persisted before under this URI (its note outlives the folder's contents). */
  has(runId: string, uri: string): boolean {
    return this.notesOf(runId).has(uri);
  }

  write(runId: string, uri: string, tree: { fingerprint: string; files: readonly HashedFile[]; folders: readonly FolderStamp[] }): void {
    const files = tree.files.map(({ rel, size, mtimeMs, ino, hash }) => ({ rel, size, mtimeMs, ino, hash }));
    const note: Note = { uri, fingerprint: tree.fingerprint, files, folders: tree.folders.map(({ rel, mtimeMs, ino }) => ({ rel, mtimeMs, ino })) };
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
    return this.heldNote(runId, folder, record)?.files.map((f) => ({ ...f, path: path.join(folder, ...f.rel.split('/')) }));
  }

  /** True when the folder still holds exactly the recorded output. */
  holds(runId: string, folder: string, record: OutputRecord): boolean {
    return this.heldNote(runId, folder, record) !== undefined;
  }

  /**
   * A note of the recorded fingerprint whose stamps still hold. The note this process has read
   * already is tried first — any such note shows it, even one superseded since — so the file is
   * looked at again only when that one does not hold.
   */
  private heldNote(runId: string, folder: string, record: OutputRecord): Note | undefined {
    const stillHolds = (note: Note | undefined) => note !== undefined && note.fingerprint === record.fingerprint && unchangedSince(folder, note);
    const known = this.read.get(runId)?.byUri.get(record.uri);
    if (stillHolds(known)) return known;
    const note = this.notesOf(runId).get(record.uri);
    return note !== known && stillHolds(note) ? note : undefined;
  }

  private notesFile(runId: string): string {
    return path.join(this.runsDir, runId, NOTES_FILE);
  }

  /** The run's notes by URI, reading what was appended since the last look. */
  private notesOf(runId: string): Map<string, Note> {
    const file = this.notesFile(runId);
    const size = statSync(file, { throwIfNoEntry: false })?.size ?? 0;
    let known = this.read.get(runId);
    if (!known || size < known.read) {
      known = { read: 0, byUri: new Map() }; // first look, or the file was replaced
      this.read.set(runId, known);
      if (this.read.size > KEPT_RUNS) this.read.delete(this.read.keys().next().value!);
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
    let note: unknown;
    try {
      note = JSON.parse(line);
    } catch {
      continue; // cut short by a crash while it was written
    }
    if (isNote(note)) byUri.set(note.uri, note);
  }
  return consumed;
}

/**
 * Checked by hand rather than with a schema: this file is only ever written by this module, and
 * an all-reused rerun reads a note per step — for 1,000 steps a schema's first parses cost ~7 ms
 * of a ~150 ms rerun, these checks ~1 ms.
 */
function isNote(v: unknown): v is Note {
  return (
    isRecord(v) && typeof v.uri === 'string' && typeof v.fingerprint === 'string' &&
    Array.isArray(v.files) && v.files.every((f) => isStamp(f) && typeof f.size === 'number' && typeof f.hash === 'string') &&
    (v.folders === undefined || (Array.isArray(v.folders) && v.folders.every(isStamp)))
  );
}

function isStamp(v: unknown): v is Record<string, unknown> & FolderStamp {
  return isRecord(v) && typeof v.rel === 'string' && typeof v.mtimeMs === 'number' && typeof v.ino === 'number';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
