import path from 'node:path';
import type { DataInput, DataPlane, StepDataContext } from '../datastore/data-plane';
import { ValidationError } from '../errors';
import type { DataType, InputBinding, PipelineDefinition, ScalarValue, StepDefinition } from '../model/definition';
import type { RunRecord, StepRunRecord } from '../store/records';

/** A step run of a run if it is Completed, else undefined (`RunCache.completedStep`). */
export type CompletedStepLookup = (runId: string, step: string) => Promise<StepRunRecord | undefined>;

/** An input as the step process sees it: a scalar, or the local path of data. */
export type ResolvedInput = { kind: 'scalar'; value: ScalarValue } | { kind: 'data'; path: string };

/** Where a bound input's value comes from, before anything is fetched (also what reuse keys describe). */
export type BindingSource =
  | { kind: 'scalar'; value: ScalarValue }
  | { kind: 'data'; input: DataInput }
  | { kind: 'upstream'; step: string; output: string };

const DATA_TYPES: readonly string[] = ['uri_file', 'uri_folder'];

/**
 * Resolves every bound input of a step to what its process receives. Data inputs become local
 * paths via the data plane; a missing one throws ValidationError naming the input and path.
 */
export async function resolveStepInputs(
  run: RunRecord,
  def: StepDefinition,
  completedStep: CompletedStepLookup,
  data: DataPlane,
  ctx: StepDataContext,
): Promise<Record<string, ResolvedInput>> {
  const resolved: Record<string, ResolvedInput> = {};
  for (const [name, source] of Object.entries(bindingSources(def, run.definition, run.parameters))) {
    resolved[name] = await resolveSource(name, source, run, completedStep, data, ctx);
  }
  return resolved;
}

/** The source of every input of `def` that has a value (unbound optional inputs are left out). */
export function bindingSources(
  def: StepDefinition,
  pipeline: Pick<PipelineDefinition, 'inputs'>,
  parameters: Record<string, ScalarValue>,
): Record<string, BindingSource> {
  const sources: Record<string, BindingSource> = {};
  for (const [name, spec] of Object.entries(def.inputs)) {
    const source = spec.binding && bindingSource(name, spec.type, spec.binding, pipeline, parameters);
    if (source) sources[name] = source;
  }
  return sources;
}

function bindingSource(
  name: string,
  type: string,
  binding: InputBinding,
  pipeline: Pick<PipelineDefinition, 'inputs'>,
  parameters: Record<string, ScalarValue>,
): BindingSource | undefined {
  switch (binding.kind) {
    case 'literal':
      if (DATA_TYPES.includes(type)) return dataSource(name, type as DataType, String(binding.value));
      return { kind: 'scalar', value: binding.value };
    case 'pipelineInput': {
      const value = parameters[binding.name];
      if (value === undefined) return undefined;
      const declared = pipeline.inputs[binding.name]?.type ?? type;
      if (DATA_TYPES.includes(declared)) return dataSource(name, declared as DataType, String(value));
      return { kind: 'scalar', value };
    }
    case 'stepOutput':
      return { kind: 'upstream', step: binding.step, output: binding.output };
    case 'datastorePath':
      return dataSource(name, binding.type, `azureml://datastores/${binding.datastore}/paths/${binding.path}`);
    case 'localPath':
      return dataSource(name, binding.type, binding.path);
  }
}

function dataSource(name: string, type: DataType, uri: string): BindingSource {
  const local = uri.startsWith('azureml://') || path.isAbsolute(uri) ? uri : path.resolve(uri);
  return { kind: 'data', input: { name, type, uri: local } };
}

async function resolveSource(
  name: string,
  source: BindingSource,
  run: RunRecord,
  completedStep: CompletedStepLookup,
  data: DataPlane,
  ctx: StepDataContext,
): Promise<ResolvedInput> {
  switch (source.kind) {
    case 'scalar':
      return source;
    case 'data':
      return { kind: 'data', path: await data.resolveInput(source.input, ctx) };
    case 'upstream': {
      const record = (await completedStep(run.id, source.step))?.outputs[source.output];
      if (!record) {
        throw new ValidationError(`input "${name}": output "${source.output}" of step "${source.step}" is not available`, `inputs.${name}`);
      }
      const folder = await data.resolveUpstreamOutput(record, ctx);
      // A uri_file output is the file its step wrote inside the output's folder (see outputTarget).
      const written = run.definition.steps[source.step]?.outputs[source.output];
      return { kind: 'data', path: written?.type === 'uri_file' ? path.join(folder, source.output) : folder };
    }
  }
}
