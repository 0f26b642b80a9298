/**
 * The pipeline level of an Azure ML pipeline job: settings, pipeline inputs (literal scalars or
 * `{type, path|default|value, optional, description}`), declared pipeline outputs, and the
 * top-level `tributary:` defaults. Jobs are left as raw entries for `jobs.ts`.
 */
import path from 'node:path';
import type { z } from 'zod';
import type { DataType, InputType, PipelineInputSpec, ScalarValue } from '../definition';
import { coerceLiteral, describeValue } from '../parameters';
import type { CompileContext } from './files';
import { Place, type YamlSource } from './read';
import { extrasSchema, outputSchema, pipelineInputSchema, pipelineSchema } from './schema';
import { dataBinding } from './sources';
import { checkName, isMapping, parseAt, parseSalvaging, warnIgnored } from './validate';

export type Extras = z.infer<typeof extrasSchema>;

export interface PipelineOutputDecl {
  type?: DataType;
  mode?: string;
}

export interface PipelineOutline {
  place: Place;
  name: string;
  displayName?: string;
  description?: string;
  experimentName?: string;
  defaultCompute?: string;
  continueOnStepFailure: boolean;
  /** Azure ML `settings.force_rerun`: no step of this pipeline reuses earlier results. */
  forceRerun: boolean;
  extras: Extras;
  /** Declared pipeline inputs; undefined for an entry that is itself wrong (already reported). */
  inputs: Map<string, PipelineInputSpec | undefined>;
  outputs: Map<string, PipelineOutputDecl | undefined>;
  jobs: Record<string, unknown>;
}

const DEFAULT_DATASTORES = ['workspaceblobstore', 'azureml:workspaceblobstore'];

export async function readPipeline(ctx: CompileContext, source: YamlSource): Promise<PipelineOutline | undefined> {
  const place = new Place(source);
  const top = parseSalvaging(pipelineSchema, source.data, place, ctx.problems);
  if (!top) return undefined;
  warnIgnored(pipelineSchema, source.data, place, ctx.warn);
  const settings = top.settings ?? {};
  if (settings.default_datastore !== undefined && !DEFAULT_DATASTORES.includes(settings.default_datastore)) {
    ctx.warn(place.at('settings', 'default_datastore').warning(`"${settings.default_datastore}" is ignored: outputs go to workspaceblobstore`));
  }
  const inputs = new Map<string, PipelineInputSpec | undefined>();
  for (const [name, raw] of Object.entries(top.inputs ?? {})) {
    checkName(name, place.at('inputs', name), ctx.problems);
    inputs.set(name, await pipelineInput(ctx, place.at('inputs', name), raw));
  }
  const outputs = new Map<string, PipelineOutputDecl | undefined>();
  for (const [name, raw] of Object.entries(top.outputs ?? {})) {
    const at = place.at('outputs', name);
    checkName(name, at, ctx.problems);
    const decl = parseAt(outputSchema.nullable(), raw, at, ctx.problems);
    warnIgnored(outputSchema, raw, at, ctx.warn);
    outputs.set(name, decl === undefined ? undefined : { ...(decl?.type ? { type: decl.type } : {}), ...(decl?.mode ? { mode: decl.mode } : {}) });
  }
  if (Object.keys(top.jobs).length === 0) place.at('jobs').problem(ctx.problems, 'a pipeline needs at least one job');
  return {
    place,
    name: top.name ?? slugOf(top.display_name) ?? path.basename(source.file, path.extname(source.file)),
    ...(top.display_name !== undefined ? { displayName: top.display_name } : {}),
    ...(top.description !== undefined ? { description: top.description } : {}),
    ...(top.experiment_name !== undefined ? { experimentName: top.experiment_name } : {}),
    ...(settings.default_compute !== undefined ? { defaultCompute: settings.default_compute } : {}),
    continueOnStepFailure: settings.continue_on_step_failure ?? false,
    forceRerun: settings.force_rerun ?? false,
    extras: top.tributary ?? {},
    inputs,
    outputs,
    jobs: top.jobs,
  };
}

async function pipelineInput(ctx: CompileContext, place: Place, raw: unknown): Promise<PipelineInputSpec | undefined> {
  const input = parseAt(pipelineInputSchema, raw, place, ctx.problems);
  if (input === undefined) return undefined;
  if (!isMapping(input)) return { type: literalType(input), default: input };
  const given = (['path', 'default', 'value'] as const).filter((key) => input[key] !== undefined);
  if (given.length > 1) {
    place.problem(ctx.problems, `give only one of ${given.join(', ')}`);
    return undefined;
  }
  const value = input.path ?? input.default ?? input.value;
  const type: InputType | undefined = input.type ?? (input.path !== undefined ? 'uri_folder' : value === undefined ? undefined : literalType(value));
  if (type === undefined) {
    place.problem(ctx.problems, 'needs a type (uri_folder, uri_file, integer, number, string or boolean)');
    return undefined;
  }
  const spec: PipelineInputSpec = { type };
  if (input.optional) spec.optional = true;
  if (input.description !== undefined) spec.description = input.description;
  if (value === undefined) return spec;
  const at = place.at(given[0]!);
  if (type === 'uri_folder' || type === 'uri_file') {
    if (typeof value !== 'string') {
      at.problem(ctx.problems, `expected a path for a ${type} input, got ${describeValue(value)}`);
      return undefined;
    }
    const binding = await dataBinding(ctx, at, value, type);
    if (binding?.kind === 'localPath') spec.default = binding.path;
    else if (binding?.kind === 'datastorePath') spec.default = value;
    else return undefined;
    return spec;
  }
  if (input.path !== undefined) {
    at.problem(ctx.problems, `path is for uri_folder and uri_file inputs; a ${type} input takes default`);
    return undefined;
  }
  const literal = coerceLiteral(type, value);
  if (literal === undefined) {
    at.problem(ctx.problems, `wrong parameter type: expected ${type}, got ${describeValue(value)}`);
    return undefined;
  }
  spec.default = literal;
  return spec;
}

/** The type a bare YAML scalar declares: `20` integer, `0.01` number, `true` boolean, text string. */
export function literalType(value: ScalarValue): InputType {
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isSafeInteger(value) ? 'integer' : 'number';
  return 'string';
}

/** A display name as a pipeline name (`Iris: train & pick` → `Iris-train-pick`), if anything is left. */
function slugOf(displayName: string | undefined): string | undefined {
  const slug = displayName?.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+|-+$/g, '').slice(0, 100);
  return slug ? slug : undefined;
}
