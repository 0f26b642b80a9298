import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { ValidationError } from '../errors';
import { sha256Files } from '../reuse/hash-files';
import type { OutputRecord } from '../store/records';
import { filesUnder } from './blob/local-files';
import type { DataInput, DataPlane, InputFingerprint, StepDataContext } from './data-plane';
import { fingerprintPath } from './fingerprint';

/**
 * Outputs stay where the step wrote them in the workspace; inputs are local paths. Used when no
 * datastore is configured (unit tests, benchmarks of the engine alone).
 */
export class LocalFolderDataPlane implements DataPlane {
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
      records[name] = { uri: folder, fingerprint: await fingerprintPath(folder) };
    }
    return records;
  }

  async outputsExist(outputs: Record<string, OutputRecord>): Promise<boolean> {
    return Object.values(outputs).every((o) => existsSync(o.uri));
  }

  async fingerprintInput(input: DataInput): Promise<InputFingerprint> {
    checkLocalInput(input);
    return fingerprintLocalTree(input.uri);
  }
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
 * files and folders followed, see `filesUnder`) hashed with sha256 on worker threads. A file's
 * path is its name; a folder's files are relative to it.
 */
export async function fingerprintLocalTree(root: string): Promise<InputFingerprint> {
  const info = await stat(root);
  const found = info.isFile() ? [{ rel: path.basename(root), path: root }] : filesUnder(root, info);
  const hashes = await sha256Files(found.map((f) => f.path));
  const files = found.map((f, i) => ({ path: f.rel, size: hashes[i]!.size, hash: hashes[i]!.sha256 }));
  const outer = createHash('sha256');
  for (const f of files) outer.update(`${f.path}\0${f.size}\0${f.hash}\n`);
  return { fingerprint: outer.digest('hex'), files };
}
