/**
 * Shapes of the Azure ML CLI v2 pipeline job and command component YAML that Tributary accepts,
 * plus Tributary's own `tributary:` section. Maps of named entries (inputs, outputs, jobs) are
 * checked entry by entry, so one bad entry does not hide problems in the others.
 */
import { z } from 'zod';

/** Keys Azure ML defines that Tributary accepts and does not act on; every use is warned about. */
export const ignored = z.unknown().optional();

/** Keys Azure ML defines that Tributary cannot honour: an error saying so, rather than "unknown key". */
function unsupported(why: string) {
  return z.custom<never>(() => false, { error: `not supported by Tributary (${why})` }).optional();
}

const text = z.string();
const scalar = z.union([z.string(), z.number(), z.boolean()]);
const entries = z.record(z.string(), z.unknown()).nullable().optional();
const dataType = z.enum(['uri_folder', 'uri_file']);
const inputType = z.enum(['uri_folder', 'uri_file', 'integer', 'number', 'string', 'boolean']);

/** Tributary's additions, per job or for the whole pipeline (`tributary:` at the top). */
export const extrasSchema = z.strictObject({
  allow_reuse: z.boolean().optional(),
  retry: z
    .strictObject({
      max_attempts: z.int().min(1).max(100),
      initial_delay_seconds: z.number().min(0).max(86_400).optional(),
    })
    .optional(),
  timeout_seconds: z.number().positive().optional(),
});

export const inlineEnvironmentSchema = z.strictObject({
  image: text.optional(),
  conda_file: text.optional(),
  name: text.optional(),
  version: z.union([text, z.number()]).optional(),
  description: text.optional(),
  tags: ignored,
  build: unsupported('build the image and give it as image:'),
});
export const environmentSchema = z.union([text, inlineEnvironmentSchema]);

export const pipelineSchema = z.strictObject({
  $schema: text.optional(),
  type: z.literal('pipeline'),
  name: text.optional(),
  display_name: text.optional(),
  description: text.optional(),
  experiment_name: text.optional(),
  tags: ignored,
  identity: ignored,
  settings: z
    .strictObject({
      default_compute: text.optional(),
      default_datastore: text.optional(),
      continue_on_step_failure: z.boolean().optional(),
      force_rerun: z.boolean().optional(),
      on_init: unsupported('setup and teardown jobs'),
      on_finalize: unsupported('setup and teardown jobs'),
    })
    .nullable()
    .optional(),
  inputs: entries,
  outputs: entries,
  jobs: z.record(z.string(), z.unknown()),
  tributary: extrasSchema.optional(),
});

export const pipelineInputSchema = z.union([
  scalar,
  z.strictObject({
    type: inputType.optional(),
    path: text.optional(),
    default: scalar.optional(),
    value: scalar.optional(),
    optional: z.boolean().optional(),
    description: text.optional(),
    // How a data input reaches the step (mount or download); local compute always passes a path.
    mode: text.optional(),
  }),
]);

/** An output of the pipeline or of a job; `path`, `name` and `version` (asset registration) are Azure-only. */
export const outputSchema = z.strictObject({
  type: dataType.optional(),
  mode: text.optional(),
  description: text.optional(),
  path: ignored,
  name: ignored,
  version: ignored,
});

export const jobSchema = z.strictObject({
  type: z.literal('command').optional(),
  component: z.union([text, z.record(z.string(), z.unknown())]).optional(),
  display_name: text.optional(),
  description: text.optional(),
  command: text.optional(),
  code: text.optional(),
  environment: environmentSchema.optional(),
  inputs: z.record(z.string(), z.union([scalar, z.strictObject({ type: dataType.optional(), path: text.optional(), mode: text.optional() })])).nullable().optional(),
  outputs: z.record(z.string(), z.union([text, outputSchema]).nullable()).nullable().optional(),
  environment_variables: z.record(z.string(), scalar).nullable().optional(),
  compute: text.optional(),
  limits: z.strictObject({ timeout: z.number().positive().optional() }).optional(),
  tributary: extrasSchema.optional(),
  tags: ignored,
  properties: ignored,
  resources: ignored,
  distribution: ignored,
  services: ignored,
  identity: ignored,
  queue_settings: ignored,
});
export type Job = z.infer<typeof jobSchema>;

export const componentInputSchema = z.strictObject({
  type: inputType,
  default: scalar.optional(),
  optional: z.boolean().optional(),
  description: text.optional(),
  mode: text.optional(),
  min: ignored,
  max: ignored,
  enum: ignored,
});

export const componentSchema = z.strictObject({
  $schema: text.optional(),
  type: z.literal('command').optional(),
  name: text.optional(),
  version: z.union([text, z.number()]).optional(),
  display_name: text.optional(),
  description: text.optional(),
  is_deterministic: z.boolean().optional(),
  inputs: z.record(z.string(), componentInputSchema).nullable().optional(),
  outputs: z.record(z.string(), z.strictObject({ type: dataType.optional(), mode: text.optional(), description: text.optional() }).nullable()).nullable().optional(),
  code: text.optional(),
  environment: environmentSchema.optional(),
  command: text,
  tags: ignored,
  resources: ignored,
  distribution: ignored,
  additional_includes: unsupported('put the files in the code folder'),
});
