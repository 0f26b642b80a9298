import path from 'node:path';
import type { DataPlane, StepDataContext } from '../datastore/data-plane';
import { ValidationError } from '../errors';
import type { DataType, InputBinding, ScalarValue, StepDefinition } from '../model/definition';
import type { RunRecord } from '../store/records';
import type { RunStore } from '../store/run-store';

/** An input as the step process sees it: a scalar, or the local path of data. */
export type ResolvedInput = { kind: 'scalar'; value: ScalarValue } | { kind: 'data'; path: string };

const DATA_TYPES: readonly string[] = ['uri_file', 'uri_folder'];

/**
 * Resolves every bound input of a step to what its process receives. Data inputs become local
 * paths via the data plane; a missing one throws ValidationError naming the input and path.
 */
export async function resolveStepInputs(
  run: RunRecord,
  def: StepDefinition,
  store: RunStore,
  data: DataPlane,
  ctx: StepDataContext,
): Promise<Record<string, ResolvedInput>> {
  const resolved: Record<string, ResolvedInput> = {};
  for (const [name, spec] of Object.entries(def.inputs)) {
    if (!spec.binding) continue;
    const value = await resolveBinding(name, spec.type, spec.binding, run, store, data, ctx);
    if (value) resolved[name] = value;
  }
  return resolved;
}

async function resolveBinding(
  name: string,
  type: string,
  binding: InputBinding,
  run: RunRecord,
  store: RunStore,
  data: DataPlane,
  ctx: StepDataContext,
): Promise<ResolvedInput | undefined> {
  switch (binding.kind) {
    case 'literal':
      if (DATA_TYPES.includes(type)) return dataInput(name, type as DataType, String(binding.value), data, ctx);
      return { kind: 'scalar', value: binding.value };
    case 'pipelineInput': {
      const value = run.parameters[binding.name];
      if (value === undefined) return undefined;
      const declared = run.definition.inputs[binding.name]?.type ?? type;
      if (DATA_TYPES.includes(declared)) return dataInput(name, declared as DataType, String(value), data, ctx);
      return { kind: 'scalar', value };
    }
    case 'stepOutput': {
      const producer = await store.getStepRun(run.id, binding.step);
      const record = producer?.outputs[binding.output];
      if (!producer || producer.status !== 'Completed' || !record) {
        throw new ValidationError(`input "${name}": output "${binding.output}" of step "${binding.step}" is not available`, `inputs.${name}`);
      }
      return { kind: 'data', path: await data.resolveUpstreamOutput(record, ctx) };
    }
    case 'datastorePath':
      return dataInput(name, binding.type, `azureml://datastores/${binding.datastore}/paths/${binding.path}`, data, ctx);
    case 'localPath':
      return dataInput(name, binding.type, binding.path, data, ctx);
  }
}

async function dataInput(name: string, type: DataType, uri: string, data: DataPlane, ctx: StepDataContext): Promise<ResolvedInput> {
  const local = uri.startsWith('azureml://') || path.isAbsolute(uri) ? uri : path.resolve(uri);
  return { kind: 'data', path: await data.resolveInput({ name, type, uri: local }, ctx) };
}
