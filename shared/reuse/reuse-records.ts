/**
 * The three kinds of entries Tributary keeps in the run store's reuse index, told apart by
 * `manifest.kind`, and read back through schemas (the index is shared: nothing read from it is
 * trusted by shape):
 *
 * - `reuse-result`: a step run's outputs, reusable by any step run that reaches this key;
 * - `reuse-node`: an inner node of a narrowed (Python) key: which observations to check next;
 * - `step-explain`: per step run that ran, what its key was made of and why it ran (`explain`).
 */
import { z } from 'zod';
import type { ReuseRecord } from '../store/records';
import type { KeyMaterial } from './key-material';
import { reuseKey } from './key-material';
import type { CheckItem } from './snapshot-index';

/** Why a step run ran instead of reusing an earlier result. */
export type RunReason =
  | { why: 'allow-reuse-off' }
  | { why: 'regenerate' }
  | { why: 'no-key'; problem: string }
  | { why: 'no-match' }
  | { why: 'outputs-missing'; staleRunId: string };

export interface ResultEntry {
  kind: 'reuse-result';
  scheme: 'whole' | 'narrow';
}

export interface NodeEntry {
  kind: 'reuse-node';
  check: CheckItem[];
}

export interface ExplainEntry {
  kind: 'step-explain';
  reason: RunReason;
  material?: KeyMaterial;
  /** Observations of a Python step that narrowed its key (after it finished). */
  observed?: CheckItem[];
  /** Why a Python step's key was not narrowed. */
  untracked?: string;
}

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const dataType = z.enum(['uri_folder', 'uri_file']);
const fileEntry = z.object({ path: z.string(), size: z.number(), hash: z.string() });
const checkItem = z.string().regex(/^[rl]:/) as unknown as z.ZodType<CheckItem>;

const materialSchema = z.object({
  kind: z.enum(['command', 'databricks', 'data_transfer']),
  command: z.string(),
  inputs: z.record(
    z.string(),
    z.discriminatedUnion('kind', [
      z.object({ kind: z.literal('scalar'), type: z.enum(['string', 'integer', 'number', 'boolean', 'uri_folder', 'uri_file']), value: scalar }),
      z.object({
        kind: z.literal('data'),
        type: dataType,
        fingerprint: z.string(),
        origin: z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('upstream'), step: z.string(), output: z.string(), runId: z.string() }),
          z.object({ kind: z.literal('path'), uri: z.string(), fileCount: z.number(), files: z.array(fileEntry).optional() }),
        ]),
      }),
    ]),
  ),
  environment: z.object({
    image: z.string().optional(),
    reference: z.string().optional(),
    condaFile: z.object({ path: z.string(), sha256: z.string().optional() }).optional(),
    variables: z.record(z.string(), z.string()),
  }),
  outputs: z.record(z.string(), dataType),
  snapshot: z.string().optional(),
}) satisfies z.ZodType<KeyMaterial>;

const reasonSchema = z.discriminatedUnion('why', [
  z.object({ why: z.literal('allow-reuse-off') }),
  z.object({ why: z.literal('regenerate') }),
  z.object({ why: z.literal('no-key'), problem: z.string() }),
  z.object({ why: z.literal('no-match') }),
  z.object({ why: z.literal('outputs-missing'), staleRunId: z.string() }),
]);

const entrySchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('reuse-result'), scheme: z.enum(['whole', 'narrow']) }),
  z.object({ kind: z.literal('reuse-node'), check: z.array(checkItem) }),
  z.object({
    kind: z.literal('step-explain'),
    reason: reasonSchema,
    material: materialSchema.optional(),
    observed: z.array(checkItem).optional(),
    untracked: z.string().optional(),
  }),
]);

export type IndexEntry = ResultEntry | NodeEntry | ExplainEntry;

/** The entry a record holds, or undefined for anything this version does not know (treated as absent). */
export function entryOf(record: ReuseRecord | undefined): IndexEntry | undefined {
  if (!record) return undefined;
  const parsed = entrySchema.safeParse(record.manifest);
  return parsed.success ? (parsed.data as IndexEntry) : undefined;
}

/** Key of a step run's explain entry (hashed: run ids and step names together can exceed id limits). */
export function explainKey(runId: string, step: string): string {
  return reuseKey('explain', runId, step);
}
