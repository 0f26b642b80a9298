/**
 * Gathers a step's key material: the content identity of each input (data-plane fingerprints,
 * upstream output fingerprints), the conda file's content, the command as the key renders it.
 * Runs (prepareStep) and plans (`tributary plan`) both come here, with their own upstream lookup.
 */
import { readFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { bindingSources } from '../activities/step-inputs';
import type { DataPlane } from '../datastore/data-plane';
import { describeError, TributaryError } from '../errors';
import type { PipelineDefinition, ScalarValue, StepDefinition } from '../model/definition';
import type { OutputRecord } from '../store/records';
import { keyCommand, type DataOrigin, type EnvironmentIdentity, type InputIdentity, type KeyMaterial } from './key-material';

/** Data inputs with more files than this keep only their fingerprint for `explain`. */
export const EXPLAIN_FILE_LIMIT = 1000;

/** A finished upstream output: its record and the run that produced it (the original, when reused). */
export interface UpstreamOutput {
  record: OutputRecord;
  runId: string;
}

export interface MaterialSources {
  pipeline: Pick<PipelineDefinition, 'inputs'>;
  parameters: Record<string, ScalarValue>;
  /** Snapshot id of the step's source folder, if it has one. */
  snapshot?: string;
  upstream(step: string, output: string): Promise<UpstreamOutput | undefined>;
  data: DataPlane;
}

/** The material, or why no key can be made (the step then runs, and `explain` says why). */
export async function stepMaterial(def: StepDefinition, sources: MaterialSources): Promise<{ material: KeyMaterial } | { problem: string }> {
  if (def.codeDir && !sources.snapshot) return { problem: `no snapshot was recorded for source folder ${def.codeDir}` };
  const inputs: Record<string, InputIdentity> = {};
  for (const [name, source] of Object.entries(bindingSources(def, sources.pipeline, sources.parameters))) {
    const type = def.inputs[name]!.type;
    if (source.kind === 'scalar') {
      inputs[name] = { kind: 'scalar', type, value: source.value };
    } else if (source.kind === 'upstream') {
      const found = await sources.upstream(source.step, source.output);
      if (!found?.record.fingerprint) return { problem: `input "${name}": output "${source.output}" of step "${source.step}" has no content fingerprint` };
      const origin: DataOrigin = { kind: 'upstream', step: source.step, output: source.output, runId: found.runId };
      inputs[name] = { kind: 'data', type: type === 'uri_file' ? 'uri_file' : 'uri_folder', fingerprint: found.record.fingerprint, origin };
    } else {
      if (!sources.data.fingerprintInput) return { problem: `input "${name}": this data plane cannot fingerprint ${source.input.uri}` };
      try {
        const { fingerprint, files } = await sources.data.fingerprintInput(source.input);
        const origin: DataOrigin = { kind: 'path', uri: source.input.uri, fileCount: files.length, ...(files.length <= EXPLAIN_FILE_LIMIT ? { files } : {}) };
        inputs[name] = { kind: 'data', type: source.input.type, fingerprint, origin };
      } catch (err) {
        if (err instanceof TributaryError && err.retryable) throw err;
        return { problem: describeError(err) };
      }
    }
  }
  let command: string;
  try {
    command = keyCommand(def, inputs);
  } catch (err) {
    return { problem: describeError(err) };
  }
  const material: KeyMaterial = {
    kind: def.kind,
    command,
    inputs,
    environment: await environmentIdentity(def),
    outputs: Object.fromEntries(Object.entries(def.outputs).map(([name, spec]) => [name, spec.type])),
    ...(sources.snapshot ? { snapshot: sources.snapshot } : {}),
  };
  return { material };
}

async function environmentIdentity(def: StepDefinition): Promise<EnvironmentIdentity> {
  const env = def.environment ?? {};
  const identity: EnvironmentIdentity = { variables: def.environmentVariables };
  if (env.image) identity.image = env.image;
  if (env.reference) identity.reference = env.reference;
  if (env.condaFile) {
    const bytes = await readFile(env.condaFile).catch(() => undefined);
    identity.condaFile = { path: env.condaFile, ...(bytes ? { sha256: createHash('sha256').update(bytes).digest('hex') } : {}) };
  }
  return identity;
}
