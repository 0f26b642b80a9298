/**
 * The Azure ML CLI v2 front door: a pipeline job YAML (and the command component files it names)
 * compiled to the internal PipelineDefinition. Every problem found in one pass is reported
 * together as `file:line: object.path: what is wrong (how to fix)`; the definition then goes
 * through the same structural validation as any other (`graph.ts`).
 */
import path from 'node:path';
import { ProblemList, ValidationError } from '../../errors';
import { DEFINITION_SCHEMA_VERSION, type PipelineDefinition, type PipelineOutputSpec, type StepDefinition } from '../definition';
import { validateDefinition } from '../graph';
import { bindInputs } from './bindings';
import { ComponentLoader } from './components';
import { diskFiles, type CompileContext, type SourceFiles } from './files';
import { outlineJob, type JobOutline } from './jobs';
import { readPipeline, type PipelineOutline } from './pipeline';
import { YamlSource } from './read';

export interface CompileOptions {
  /** Where warnings go (accepted-but-ignored keys, a non-default datastore); stderr by default. */
  warn?: (message: string) => void;
}

export type { SourceFiles } from './files';

/** Reads `file` (and the component files it names, relative to it) and compiles it. */
export async function compilePipelineYaml(file: string, options: CompileOptions = {}): Promise<PipelineDefinition> {
  const text = await diskFiles.readText(path.resolve(file));
  if (text === undefined) {
    const folder = (await diskFiles.kind(path.resolve(file))) === 'directory';
    throw new ValidationError(`${file}: ${folder ? 'is a folder; name the pipeline YAML file in it' : 'pipeline file not found'}`, file);
  }
  return compilePipelineYamlText(text, file, diskFiles, options);
}

/** Compiles pipeline YAML `text` as if read from `file`; component files, code folders and data paths are looked up in `files`. */
export async function compilePipelineYamlText(
  text: string,
  file: string,
  files: SourceFiles,
  options: CompileOptions = {},
): Promise<PipelineDefinition> {
  const ctx: CompileContext = { files, problems: new ProblemList(), warn: options.warn ?? ((message) => console.warn(`warning: ${message}`)) };
  const source = YamlSource.read(text, file, ctx.problems, ctx.warn);
  const pipeline = source && (await readPipeline(ctx, source));
  if (!pipeline) return fail(ctx, file);

  const components = new ComponentLoader(ctx);
  const outlines = new Map<string, JobOutline | undefined>();
  for (const [name, raw] of Object.entries(pipeline.jobs)) {
    outlines.set(name, await outlineJob(ctx, components, name, raw, pipeline.place.at('jobs', name), pipeline));
  }
  const steps = new Map<string, StepDefinition>();
  for (const [name, outline] of outlines) {
    if (outline) steps.set(name, { ...outline.step, inputs: await bindInputs(ctx, outline, pipeline, outlines) });
  }
  const outputs = pipelineOutputs(ctx, pipeline, outlines);
  ctx.problems.throwIfAny();

  const def: PipelineDefinition = {
    schemaVersion: DEFINITION_SCHEMA_VERSION,
    name: pipeline.name,
    ...(pipeline.displayName !== undefined ? { displayName: pipeline.displayName } : {}),
    ...(pipeline.description !== undefined ? { description: pipeline.description } : {}),
    ...(pipeline.experimentName !== undefined ? { experimentName: pipeline.experimentName } : {}),
    ...(pipeline.defaultCompute !== undefined ? { defaultCompute: pipeline.defaultCompute } : {}),
    continueOnStepFailure: pipeline.continueOnStepFailure,
    inputs: Object.fromEntries([...pipeline.inputs].flatMap(([name, spec]) => (spec ? [[name, spec]] : []))),
    outputs,
    steps: Object.fromEntries(steps),
    source: file,
  };
  validateDefinition(def);
  return def;
}

/** Each declared pipeline output bound to the one job output that writes it. */
function pipelineOutputs(ctx: CompileContext, pipeline: PipelineOutline, outlines: Map<string, JobOutline | undefined>): Record<string, PipelineOutputSpec> {
  const bound = new Map<string, PipelineOutputSpec>();
  for (const [step, outline] of outlines) {
    for (const write of outline?.writes ?? []) {
      const first = bound.get(write.pipelineOutput);
      if (first) write.place.problem(ctx.problems, `pipeline output "${write.pipelineOutput}" is already written by jobs.${first.step}.outputs.${first.output} (a pipeline output takes one job output)`);
      else bound.set(write.pipelineOutput, { step, output: write.output });
    }
  }
  // A job that is itself wrong may be the one that writes an output: only then is "unbound" not certain.
  const allJobsRead = [...outlines.values()].every((outline) => outline !== undefined);
  for (const name of pipeline.outputs.keys()) {
    if (!bound.has(name) && allJobsRead) {
      pipeline.place.at('outputs', name).problem(ctx.problems, `no job writes this pipeline output (bind one: outputs: NAME: \${{parent.outputs.${name}}})`);
    }
  }
  return Object.fromEntries(bound);
}

function fail(ctx: CompileContext, file: string): never {
  ctx.problems.throwIfAny();
  throw new ValidationError(`${file}: not a pipeline`, file);
}
