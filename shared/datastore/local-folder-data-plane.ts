import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../errors';
import { sha256Files } from '../reuse/hash-files';
import type { OutputRecord } from '../store/records';
import { SAFE_ID } from '../util/safe-names';
import { walkFolder } from './blob/local-files';
import { LocalOutputNotes } from './blob/local-output-notes';
import type { DataInput, DataPlane, InputFingerprint, StepDataContext } from './data-plane';
import { fingerprintFolder, type FingerprintedFolder } from './fingerprint';

/**
 * Outputs stay where the step wrote them in the workspace; inputs are local paths. Used when no
 * datastore is configured (unit tests, benchmarks of the engine alone).
 *
 * An output is reused only while its folder holds exactly what was recorded. Checking that by
 * hashing every earlier output again would cost an all-reused rerun more than the rest of it, so
 * each output folder is noted when it is fingerprinted — every file's hash and stat stamp, in the
 * run's notes as on the blob plane (`LocalOutputNotes`) — and a folder whose folders and files all
 * keep their stamps is taken as unchanged; any other is hashed again, and noted again when it
 * matches. (As with any stat check, a rewrite of the same size within the file system's clock
 * tick of the noting would go unseen; the step has ended by then.)
 */
export class LocalFolderDataPlane implements DataPlane {
  /** Notes by the folder holding the runs (one, in practice). */
  private readonly notes = new Map<string, LocalOutputNotes>();

  async resolveInput(input: DataInput): Promise<string> {
    checkLocalInput(input);
    return input.uri;
  }

  async resolveUpstreamOutput(record: OutputRecord): Promise<string> {
    return record.uri;
  }

  async persistOutputs(_ctx: StepDataContext, outputs: Record<string, string>): Promise<Record<string, OutputRecord>> {
    const records: Record<string, OutputRecord> = {};
    for (const [name, folder] of Object.entries(outputs)) {
      const tree = await fingerprintFolder(folder, `outputs.${name}`);
      this.note(folder, tree);
      records[name] = { uri: folder, fingerprint: tree.fingerprint };
    }
    return records;
  }

  /** True when every output folder holds exactly what was recorded (its fingerprint). */
  async outputsExist(outputs: Record<string, OutputRecord>): Promise<boolean> {
    for (const record of Object.values(outputs)) {
      if (!(await this.unchanged(record))) return false;
    }
    return true;
  }

  async fingerprintInput(input: DataInput): Promise<InputFingerprint> {
    checkLocalInput(input);
    return fingerprintLocalTree(input.uri);
  }

  private async unchanged(record: OutputRecord): Promise<boolean> {
    const home = noteHome(record.uri);
    if (home && this.notesIn(home.runsDir).holds(home.runId, record.uri, record)) return true;
    const now = await fingerprintFolder(record.uri, 'output').catch(() => undefined); // gone, or unreadable
    if (!now || now.fingerprint !== record.fingerprint) return false;
    this.note(record.uri, now); // e.g. touched, or recorded before notes: cheap again next time
    return true;
  }

  private note(folder: string, tree: FingerprintedFolder): void {
    const home = noteHome(folder);
    if (home) this.notesIn(home.runsDir).write(home.runId, folder, tree);
  }

  private notesIn(runsDir: string): LocalOutputNotes {
    let notes = this.notes.get(runsDir);
    if (!notes) this.notes.set(runsDir, (notes = new LocalOutputNotes(runsDir)));
    return notes;
  }
}

/**
 * Where an output folder's note goes: in its run's folder, when the folder is where the workspace
 * puts outputs (`<workspace>/runs/<runId>/<step>/<name>`, see `outputFolder`); none elsewhere.
 */
function noteHome(folder: string): { runsDir: string; runId: string } | undefined {
  const runFolder = path.dirname(path.dirname(folder));
  const runsDir = path.dirname(runFolder);
  const runId = path.basename(runFolder);
  return path.basename(runsDir) === 'runs' && SAFE_ID.test(runId) ? { runsDir, runId } : undefined;
}

function checkLocalInput(input: DataInput): void {
  if (!path.isAbsolute(input.uri)) {
    throw new ValidationError(`input "${input.name}": ${input.uri} needs a datastore; this workspace has none configured`, `inputs.${input.name}`);
  }
  if (!existsSync(input.uri)) {
    throw new ValidationError(`input "${input.name}": ${input.uri} does not exist`, `inputs.${input.name}`);
  }
}

/**
 * Content identity of a local file or folder: every file a step reading it sees (symlinks to
 * files and folders followed, see `walkFolder`) hashed with sha256 on worker threads. A file's
 * path is its name; a folder's files are relative to it.
 */
export async function fingerprintLocalTree(root: string): Promise<InputFingerprint> {
  const info = await stat(root);
  const found = info.isFile() ? [{ rel: path.basename(root), path: root }] : walkFolder(root, info).files;
  const hashes = await sha256Files(found.map((f) => f.path));
  const files = found.map((f, i) => ({ path: f.rel, size: hashes[i]!.size, hash: hashes[i]!.sha256 }));
  const outer = createHash('sha256');
  for (const f of files) outer.update(`${f.path}\0${f.size}\0${f.hash}\n`);
  return { fingerprint: outer.digest('hex'), files };
}
