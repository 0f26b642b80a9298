/**
 * The pipeline definition as a zod schema: what a publish request carries is parsed with it, so a
 * definition from the network is checked field by field before anything trusts its shape. Mirrors
 * `shared/model/definition.ts`; `DefinitionSchemaInSync` below fails to compile if the two drift apart.
 */
import { z } from 'zod';
import { DEFINITION_SCHEMA_VERSION, type PipelineDefinition } from '../../model/definition';
import { namedRecord } from '../validate';

const scalarType = z.enum(['string', 'integer', 'number', 'boolean']);
const dataType = z.enum(['uri_folder', 'uri_file']);
const inputType = z.union([scalarType, dataType]);
const scalar = z.union([z.string(), z.number(), z.boolean()]);

const binding = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('literal'), type: inputType, value: scalar }),
  z.strictObject({ kind: z.literal('pipelineInput'), name: z.string() }),
  z.strictObject({ kind: z.literal('stepOutput'), step: z.string(), output: z.string() }),
  z.strictObject({ kind: z.literal('datastorePath'), type: dataType, datastore: z.string(), path: z.string() }),
  z.strictObject({ kind: z.literal('localPath'), type: dataType, path: z.string() }),
]);

const step = z.strictObject({
  name: z.string(),
  kind: z.enum(['command', 'databricks', 'data_transfer']),
  displayName: z.string().optional(),
  command: z.string(),
  codeDir: z.string().optional(),
  environment: z.strictObject({ image: z.string().optional(), condaFile: z.string().optional(), reference: z.string().optional() }).optional(),
  compute: z.string(),
  inputs: namedRecord(z.strictObject({ type: inputType, optional: z.boolean(), binding: binding.optional() })),
  outputs: namedRecord(z.strictObject({ type: dataType, mode: z.string().optional() })),
  environmentVariables: namedRecord(z.string()),
  allowReuse: z.boolean(),
  retry: z.strictObject({ maxAttempts: z.number(), initialDelaySeconds: z.number() }),
  timeoutSeconds: z.number().optional(),
  origin: z.string(),
});

export const definitionSchema = z.strictObject({
  schemaVersion: z.literal(DEFINITION_SCHEMA_VERSION),
  name: z.string(),
  displayName: z.string().optional(),
  description: z.string().optional(),
  experimentName: z.string().optional(),
  defaultCompute: z.string().optional(),
  continueOnStepFailure: z.boolean(),
  inputs: namedRecord(
    z.strictObject({ type: inputType, default: scalar.optional(), optional: z.boolean().optional(), description: z.string().optional() }),
  ),
  outputs: namedRecord(z.strictObject({ step: z.string(), output: z.string() })),
  steps: namedRecord(step).refine((steps) => Object.keys(steps).length > 0, 'a pipeline needs at least one step'),
  source: z.string(),
});

type Exact<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type MustHold<T extends true> = T;
/** Fails to compile when the schema and PipelineDefinition drift apart. */
export type DefinitionSchemaInSync = MustHold<Exact<z.output<typeof definitionSchema>, PipelineDefinition>>;
