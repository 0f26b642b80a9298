import { existsSync } from 'node:fs';
import path from 'node:path';
import { ValidationError } from '../errors';
import type { OutputRecord } from '../store/records';
import type { DataInput, DataPlane, StepDataContext } from './data-plane';
import { fingerprintPath } from './fingerprint';

/**
 * Outputs stay where the step wrote them in the workspace; inputs are local paths. Used when no
 * datastore is configured (unit tests, benchmarks of the engine alone).
 */
export class LocalFolderDataPlane implements DataPlane {
  async resolveInput(input: DataInput): Promise<string> {
    if (!path.isAbsolute(input.uri)) {
      throw new ValidationError(`input "${input.name}": ${input.uri} needs a datastore; this workspace has none configured`, `inputs.${input.name}`);
    }
    if (!existsSync(input.uri)) {
      throw new ValidationError(`input "${input.name}": ${input.uri} does not exist`, `inputs.${input.name}`);
    }
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
}
