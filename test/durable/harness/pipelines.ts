/** Pipeline definitions for Durable tests and benchmarks, built in code. */
import { DEFINITION_SCHEMA_VERSION, type PipelineDefinition, type StepDefinition, type StepInputSpec } from '../../../shared/model/definition';

export function step(name: string, command: string, inputs: Record<string, string> = {}, overrides: Partial<StepDefinition> = {}): StepDefinition {
  const bound: Record<string, StepInputSpec> = {};
  for (const [input, upstream] of Object.entries(inputs)) {
    bound[input] = { type: 'uri_folder', optional: false, binding: { kind: 'stepOutput', step: upstream, output: 'out' } };
  }
  return {
    name,
    kind: 'command',
    command,
    compute: 'local',
    inputs: bound,
    outputs: { out: { type: 'uri_folder' } },
    environmentVariables: {},
    allowReuse: false,
    retry: { maxAttempts: 1, initialDelaySeconds: 1 },
    origin: `test:${name}`,
    ...overrides,
  };
}

export function pipeline(name: string, steps: StepDefinition[], continueOnStepFailure = false): PipelineDefinition {
  return {
    schemaVersion: DEFINITION_SCHEMA_VERSION,
    name,
    continueOnStepFailure,
    inputs: {},
    outputs: {},
    steps: Object.fromEntries(steps.map((s) => [s.name, s])),
    source: 'test',
  };
}

/** source → n steps that read it → sink that reads them all. */
export function fanOut(n: number, compute: string, command = 'true'): PipelineDefinition {
  const middle = Array.from({ length: n }, (_, i) => `step_${String(i).padStart(4, '0')}`);
  return pipeline(`fan-out-${n}`, [
    step('source', command, {}, { compute }),
    ...middle.map((name) => step(name, command, { data: 'source' }, { compute })),
    step('sink', command, Object.fromEntries(middle.map((name) => [`in_${name}`, name])), { compute }),
  ]);
}
