/**
 * What every step class shares: its name, the data it reads and writes, where it runs, reuse,
 * and how it becomes a StepDefinition inside a Pipeline.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ValidationError, type ProblemList } from '../../shared/errors';
import type { EnvironmentSpec, RetryPolicy, StepDefinition, StepKind } from '../../shared/model/definition';
import { DataReference } from '../data';
import { PipelineParameter } from '../parameters';
import { InputPortBinding, PipelineData } from '../pipeline-data';
import { safeName } from '../validate';
import type { StepPorts } from './ports';

/** A compute target by name, or any object with a `name` (Azure ML `ComputeTarget`). */
export type ComputeTargetRef = string | { readonly name: string };

/** Anything a step can read: intermediate data, existing data, or a parameter. */
export type StepInput = PipelineData | InputPortBinding | DataReference | PipelineParameter;

export interface StepOptions {
  /** Unique within the pipeline; becomes the step's folder and record key. */
  name: string;
  inputs?: StepInput[];
  outputs?: PipelineData[];
  /** Where the step runs; defaults to the pipeline's `defaultCompute` (one of the two is required). */
  computeTarget?: ComputeTargetRef;
  /** Reuse an earlier run's outputs when nothing this step depends on changed (default true). */
  allowReuse?: boolean;
}

/** Options of steps that run a process: its environment, limits and retries. */
export interface ProcessStepOptions extends StepOptions {
  /** `azureml:NAME:VERSION` / `azureml://registries/...`, or an image with an optional conda file. Recorded; local compute uses the host's interpreters. */
  environment?: string | { image: string; condaFile?: string };
  environmentVariables?: Record<string, string>;
  /** Wall-clock limit per attempt. */
  timeoutSeconds?: number;
  /** Attempts in all (default 1) and the delay before the second (default 10 s, doubling). */
  retry?: { maxAttempts: number; initialDelaySeconds?: number };
}

export const stepInputSchema = z.union(
  [z.instanceof(PipelineData), z.instanceof(InputPortBinding), z.instanceof(DataReference), z.instanceof(PipelineParameter)],
  { error: 'expected a PipelineData, PipelineData.asInput(...), DataReference or PipelineParameter' },
);

export const stepShape = {
  name: safeName,
  inputs: z.array(stepInputSchema).optional(),
  outputs: z.array(z.instanceof(PipelineData, { error: 'expected a PipelineData' })).optional(),
  computeTarget: z
    .union([z.string().min(1), z.object({ name: z.string().min(1) })], { error: 'expected a compute name or an object with a name' })
    .optional(),
  allowReuse: z.boolean().optional(),
};

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const processShape = {
  ...stepShape,
  environment: z
    .union(
      [
        z.string().startsWith('azureml:', { error: 'a named environment is azureml:NAME:VERSION or azureml://registries/... (or give { image, condaFile? })' }),
        z.strictObject({ image: z.string().min(1), condaFile: z.string().min(1).optional() }),
      ],
      { error: 'expected azureml:NAME:VERSION, azureml://registries/..., or { image, condaFile? }' },
    )
    .optional(),
  environmentVariables: z
    .record(z.string().regex(ENV_NAME), z.string(), {
      error: (issue) => (issue.code === 'invalid_key' ? 'invalid environment variable name (letters, digits and "_", not starting with a digit)' : undefined),
    })
    .optional(),
  timeoutSeconds: z.number().positive().optional(),
  retry: z.strictObject({ maxAttempts: z.int().min(1).max(100), initialDelaySeconds: z.number().min(0).max(86_400).optional() }).optional(),
};

const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 1, initialDelaySeconds: 10 };

/** What a step needs from the pipeline it is compiled in. */
export interface StepCompileContext {
  /** Object path of the step in messages: `steps[1] (train)`. */
  readonly at: string;
  readonly problems: ProblemList;
  readonly defaultCompute?: string;
  /** True when `step` is one of the pipeline's steps. */
  includes(step: Step): boolean;
  /** Records a parameter the step uses; it becomes a pipeline input. */
  useParameter(parameter: PipelineParameter, at: string): void;
}

/** The run settings of a process step, as they go into its StepDefinition. */
export function runSettings(o: Pick<ProcessStepOptions, 'environment' | 'environmentVariables' | 'timeoutSeconds' | 'retry'>): {
  environment?: EnvironmentSpec;
  environmentVariables: Record<string, string>;
  retry: RetryPolicy;
  timeoutSeconds?: number;
} {
  const env = o.environment;
  const environment: EnvironmentSpec | undefined =
    env === undefined ? undefined : typeof env === 'string' ? { reference: env } : { image: env.image, ...(env.condaFile ? { condaFile: path.resolve(env.condaFile) } : {}) };
  return {
    ...(environment ? { environment } : {}),
    environmentVariables: { ...o.environmentVariables },
    retry: o.retry ? { maxAttempts: o.retry.maxAttempts, initialDelaySeconds: o.retry.initialDelaySeconds ?? DEFAULT_RETRY.initialDelaySeconds } : DEFAULT_RETRY,
    ...(o.timeoutSeconds !== undefined ? { timeoutSeconds: o.timeoutSeconds } : {}),
  };
}

/** True when `folder` is a folder; otherwise adds a problem at the step and returns false. */
export function checkFolder(ctx: StepCompileContext, folder: string, what: string): boolean {
  const stat = statSync(folder, { throwIfNoEntry: false });
  if (stat?.isDirectory()) return true;
  ctx.problems.add(`${what} ${folder} ${stat ? 'is not a folder' : 'does not exist'}`, ctx.at);
  return false;
}

/** Base of all step classes. Compiled by {@link Pipeline.toDefinition}. */
export abstract class Step {
  readonly name: string;
  readonly inputs: readonly StepInput[];
  readonly outputs: readonly PipelineData[];
  /** Compute name, when the step sets one. */
  readonly computeTarget?: string;
  readonly allowReuse: boolean;

  protected constructor(label: string, o: z.output<z.ZodObject<typeof stepShape>>) {
    this.name = o.name;
    this.inputs = o.inputs ?? [];
    this.outputs = o.outputs ?? [];
    if (o.computeTarget !== undefined) this.computeTarget = typeof o.computeTarget === 'string' ? o.computeTarget : o.computeTarget.name;
    this.allowReuse = o.allowReuse ?? true;
    this.outputs.forEach((data, i) => {
      const owner = data.producer;
      if (owner && owner !== this) {
        const at = `${label}.outputs[${i}]`;
        throw new ValidationError(
          `${at}: PipelineData "${data.name}" is already an output of step "${owner.name}"; a PipelineData has one writer (make another PipelineData for step "${this.name}")`,
          at,
        );
      }
    });
    for (const data of this.outputs) data.claimProducer(this);
  }

  /** Everything this step reads, including objects used only in its arguments (used to find upstream steps). */
  reads(): StepInput[] {
    return [...this.inputs];
  }

  /** The step's definition, or undefined when problems were added to `ctx.problems`. */
  abstract compile(ctx: StepCompileContext): StepDefinition | undefined;

  /**
   * The step's definition from the fields every kind of step fills the same way plus `rest`;
   * undefined when this step's compile added problems (its compute is checked here too).
   */
  protected finish(
    ctx: StepCompileContext,
    problemsBefore: number,
    kind: StepKind,
    ports: StepPorts,
    rest: () => Pick<StepDefinition, 'command' | 'environmentVariables' | 'retry'> & Partial<StepDefinition>,
  ): StepDefinition | undefined {
    const compute = this.computeTarget ?? ctx.defaultCompute;
    if (compute === undefined) {
      ctx.problems.add('no computeTarget, and the pipeline has no defaultCompute (set computeTarget on the step, or defaultCompute on the Pipeline)', ctx.at);
    }
    if (compute === undefined || ctx.problems.size > problemsBefore) return undefined;
    return {
      name: this.name,
      kind,
      compute,
      inputs: ports.inputs,
      outputs: ports.outputs,
      allowReuse: this.allowReuse,
      origin: `sdk:${ctx.at}`,
      ...rest(),
    };
  }
}
