/**
 * What a step's reuse key is made of, and the key itself. Pure: the activities gather the
 * identities (fingerprints, snapshot id) and this file decides what of them enters the key.
 *
 * In the key: the step kind; the command with scalar values substituted and data paths as
 * `@inputs.NAME@` / `@outputs.NAME@` placeholders (run-specific paths never enter it); every bound
 * input's content identity (scalars by type and value, data by type and content fingerprint —
 * never by where it lives); the declared environment (image, registry reference, conda file
 * content, environment variables); output names and types; the snapshot.
 * Not in the key: step, pipeline and experiment names, run id, compute target, timestamps.
 */
import { createHash } from 'node:crypto';
import { renderCommand } from '../model/command';
import type { DataType, InputType, ScalarValue, StepDefinition, StepKind } from '../model/definition';

/** One file of a data input, as the data plane lists it (hash: sha256 locally, MD5/etag on blobs). */
export interface FileEntry {
  path: string;
  size: number;
  hash: string;
}

/** Where a data input's content came from: shown by `explain`, never part of the key. */
export type DataOrigin =
  | { kind: 'upstream'; step: string; output: string; runId: string }
  /** A datastore URI or local path; `files` is kept for small inputs so `explain` can name a changed file. */
  | { kind: 'path'; uri: string; fileCount: number; files?: FileEntry[] };

export type InputIdentity =
  | { kind: 'scalar'; type: InputType; value: ScalarValue }
  | { kind: 'data'; type: DataType; fingerprint: string; origin: DataOrigin };

export interface EnvironmentIdentity {
  image?: string;
  reference?: string;
  /** The conda file's path, and its content hash when it could be read. */
  condaFile?: { path: string; sha256?: string };
  variables: Record<string, string>;
}

/** Everything the reuse key of one step run is computed from, kept with the run for `explain`. */
export interface KeyMaterial {
  kind: StepKind;
  command: string;
  inputs: Record<string, InputIdentity>;
  environment: EnvironmentIdentity;
  outputs: Record<string, DataType>;
  /** Snapshot id of the step's source folder; absent when the step has none. */
  snapshot?: string;
}

/** Version of the key recipe: bumping it makes every earlier key unreachable (never a wrong hit). */
export const KEY_VERSION = 'tributary-reuse-1';

export function placeholder(scope: 'inputs' | 'outputs', name: string): string {
  return `@${scope}.${name}@`;
}

/** The command as it enters the key: scalars substituted, data inputs and outputs as placeholders. */
export function keyCommand(def: StepDefinition, inputs: Record<string, InputIdentity>): string {
  const values: Record<string, string | number | boolean | undefined> = {};
  for (const name of Object.keys(def.inputs)) {
    const input = inputs[name];
    values[name] = input === undefined ? undefined : input.kind === 'scalar' ? input.value : placeholder('inputs', name);
  }
  const outputs = Object.fromEntries(Object.keys(def.outputs).map((name) => [name, placeholder('outputs', name)]));
  return renderCommand(def.command, { inputs: values, outputs }, def.origin);
}

/** The part of the material that is hashed (origins and file lists are for `explain` only). */
export function keyView(material: KeyMaterial): unknown {
  const env = material.environment;
  return {
    version: KEY_VERSION,
    kind: material.kind,
    command: material.command,
    inputs: Object.fromEntries(
      Object.entries(material.inputs).map(([name, input]) => [
        name,
        input.kind === 'scalar' ? { scalar: input.type, value: input.value } : { data: input.type, fingerprint: input.fingerprint },
      ]),
    ),
    environment: {
      image: env.image ?? null,
      reference: env.reference ?? null,
      condaFile: env.condaFile ? (env.condaFile.sha256 ?? `unreadable:${env.condaFile.path}`) : null,
      variables: env.variables,
    },
    outputs: material.outputs,
  };
}

/** Key of everything but the snapshot: the first level of the reuse index. */
export function coarseKey(material: KeyMaterial): string {
  return reuseKey('coarse', canonicalJson(keyView(material)));
}

/** Key over the whole snapshot (every step kind; Python steps when their reads are unknown). */
export function wholeKey(coarse: string, snapshot: string | undefined): string {
  return reuseKey('whole', coarse, snapshot ?? 'no-snapshot');
}

/** `sha256:<hex>` over the parts: short, and safe as a Cosmos id and a SQLite key. */
export function reuseKey(...parts: string[]): string {
  return `sha256:${createHash('sha256').update(parts.join('\0')).digest('hex')}`;
}

/** JSON with object keys sorted at every level, so equal values always hash alike. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}
