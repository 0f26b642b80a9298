import { z } from 'zod';
import { ProblemList } from '../shared/errors';
import { DEFINITION_SCHEMA_VERSION, type PipelineDefinition, type PipelineInputSpec, type PipelineOutputSpec, type StepDefinition } from '../shared/model/definition';
import { validateDefinition } from '../shared/model/graph';
import { compilePipelineYaml } from '../shared/model/yaml/compile';
import type { PipelineParameter } from './parameters';
import { publishPipeline, type PublishOptions } from './publish/publish';
import type { PublishedPipeline } from './publish/published-pipeline';
import { InputPortBinding, PipelineData } from './pipeline-data';
import { Step, stepShape, type ComputeTargetRef, type StepCompileContext } from './steps/step';
import { parseOptions, safeName } from './validate';
import type { Workspace } from './workspace';

export interface PipelineOptions {
  steps: Step[];
  /** Names the pipeline in run history and when published (default `pipeline`). */
  name?: string;
  description?: string;
  /** Compute for steps that do not set `computeTarget`. */
  defaultCompute?: ComputeTargetRef;
  /** Keep running independent steps after one fails (Azure ML `continue_on_step_failure`; default false). */
  continueOnStepFailure?: boolean;
  /** Add the steps that write data the listed steps read, after them (Azure ML `resolve_closure`; default true). */
  resolveClosure?: boolean;
}

const optionsSchema = z.strictObject({
  steps: z.array(z.custom<Step>((v) => v instanceof Step, { error: 'expected a step (PythonScriptStep, CommandStep, DatabricksStep, DataTransferStep)' })),
  name: safeName.optional(),
  description: z.string().optional(),
  defaultCompute: stepShape.computeTarget,
  continueOnStepFailure: z.boolean().optional(),
  resolveClosure: z.boolean().optional(),
});
type Options = z.output<typeof optionsSchema>;

/**
 * A graph of steps, compiled to the one internal pipeline definition the engine runs (the same
 * the YAML front door produces). Edges come from PipelineData: a step reading data another step
 * writes runs after it.
 *
 * @example
 * const pipeline = new Pipeline({ steps: [prep, trainKnn, trainSoftmax, compare], defaultCompute: 'cpu-cluster' });
 * const definition = pipeline.toDefinition(); // throws ValidationError naming every problem
 */
export class Pipeline {
  #source: { options: Options } | { definition: PipelineDefinition };

  constructor(options: PipelineOptions) {
    this.#source = { options: parseOptions(optionsSchema, options, 'Pipeline') };
  }

  /** A pipeline from an Azure ML CLI v2 pipeline YAML file; `warn` receives warnings (ignored keys). */
  static async fromYaml(file: string, options: { warn?: (message: string) => void } = {}): Promise<Pipeline> {
    const definition = await compilePipelineYaml(file, { warn: options.warn ?? ((message) => process.emitWarning(message, 'TributaryWarning')) });
    const pipeline = new Pipeline({ steps: [] });
    pipeline.#source = { definition };
    return pipeline;
  }

  /**
   * Publishes the pipeline behind a REST endpoint (Azure ML `pipeline.publish`), through the
   * workspace's Tributary service (`tributary serve`, or `options.service`).
   *
   * @example
   * const published = await pipeline.publish(workspace, { name: 'iris-train', description: 'nightly retraining' });
   * console.log(published.endpoint);
   */
  publish(workspace: Workspace, options: PublishOptions): Promise<PublishedPipeline> {
    return publishPipeline(workspace, this, options);
  }

  /** The internal definition; throws one ValidationError listing every problem, each with its object path. */
  toDefinition(): PipelineDefinition {
    return 'definition' in this.#source ? structuredClone(this.#source.definition) : compile(this.#source.options);
  }
}

/** The listed steps (each once), then the steps that write data they read, transitively. */
function withUpstream(listed: readonly Step[], resolveClosure: boolean): Step[] {
  const steps = [...new Set(listed)];
  if (!resolveClosure) return steps;
  const seen = new Set(steps);
  for (let i = 0; i < steps.length; i++) {
    for (const item of steps[i]!.reads()) {
      const data = item instanceof InputPortBinding ? item.data : item;
      const producer = data instanceof PipelineData ? data.producer : undefined;
      if (producer && !seen.has(producer)) {
        seen.add(producer);
        steps.push(producer);
      }
    }
  }
  return steps;
}

function compile(o: Options): PipelineDefinition {
  const problems = new ProblemList();
  const steps = withUpstream(o.steps, o.resolveClosure ?? true);
  if (steps.length === 0) problems.add('a pipeline needs at least one step', 'Pipeline.steps');
  const included = new Set(steps);
  const parameters = new Map<string, { parameter: PipelineParameter; at: string }>();
  const firstIndex = new Map<string, number>();
  const definitions: Record<string, StepDefinition> = {};
  const outputs: Record<string, PipelineOutputSpec> = {};
  const defaultCompute = typeof o.defaultCompute === 'object' ? o.defaultCompute.name : o.defaultCompute;

  steps.forEach((step, i) => {
    const at = `steps[${i}] (${step.name})`;
    const first = firstIndex.get(step.name);
    if (first !== undefined) {
      problems.add(`duplicate step name "${step.name}" (steps[${first}] has it too; step names must be unique)`, at);
      return;
    }
    firstIndex.set(step.name, i);
    const ctx: StepCompileContext = {
      at,
      problems,
      ...(defaultCompute !== undefined ? { defaultCompute } : {}),
      includes: (other) => included.has(other),
      useParameter(parameter, usedAt) {
        const seen = parameters.get(parameter.name);
        if (!seen) parameters.set(parameter.name, { parameter, at: usedAt });
        else if (seen.parameter.type !== parameter.type || seen.parameter.defaultValue !== parameter.defaultValue) {
          const describe = (p: PipelineParameter) => `${p.type} ${JSON.stringify(p.defaultValue)}`;
          problems.add(
            `PipelineParameter "${parameter.name}" (${describe(parameter)}) differs from the one at ${seen.at} (${describe(seen.parameter)}); use one PipelineParameter per name`,
            usedAt,
          );
        }
      },
    };
    const definition = step.compile(ctx);
    if (definition) definitions[step.name] = definition;
    step.outputs.forEach((data, k) => {
      if (data.pipelineOutputName === undefined) return;
      if (Object.hasOwn(outputs, data.pipelineOutputName)) {
        problems.add(`pipelineOutputName "${data.pipelineOutputName}" is used by two outputs (pipeline outputs need unique names)`, `${at}.outputs[${k}]`);
      } else {
        outputs[data.pipelineOutputName] = { step: step.name, output: data.name };
      }
    });
  });
  problems.throwIfAny();

  const inputs: Record<string, PipelineInputSpec> = Object.fromEntries([...parameters].map(([name, { parameter }]) => [name, parameter.toInputSpec()]));
  const definition: PipelineDefinition = {
    schemaVersion: DEFINITION_SCHEMA_VERSION,
    name: o.name ?? 'pipeline',
    ...(o.description !== undefined ? { description: o.description } : {}),
    ...(defaultCompute !== undefined ? { defaultCompute } : {}),
    continueOnStepFailure: o.continueOnStepFailure ?? false,
    inputs,
    outputs,
    steps: definitions,
    source: 'sdk',
  };
  validateDefinition(definition);
  return definition;
}
