/**
 * One entry of `jobs:`, up to everything but its inputs: what it runs (a command component or an
 * inline command), its outputs and the pipeline outputs they write, its compute, environment
 * variables, and reuse/retry/timeout. Inputs are bound by `bindings.ts` once every job's outputs
 * are known.
 */
import type { StepDefinition, StepOutputSpec } from '../definition';
import { describeValue } from '../parameters';
import type { Component, ComponentInput, ComponentLoader } from './components';
import type { CompileContext } from './files';
import type { PipelineOutline } from './pipeline';
import type { Place } from './read';
import { jobSchema, outputSchema, type Job } from './schema';
import { checkCommand, checkReferences, resolveCode, resolveEnvironment } from './sources';
import { checkName, isMapping, parseAt, warnIgnored } from './validate';

export interface JobOutline {
  place: Place;
  job: Job;
  /** The component's inputs; undefined for an inline command job, which declares inputs by binding them. */
  declaredInputs?: Record<string, ComponentInput>;
  step: Omit<StepDefinition, 'inputs'>;
  /** Pipeline outputs this job writes (`outputs: NAME: ${{parent.outputs.TARGET}}`). */
  writes: { pipelineOutput: string; output: string; place: Place }[];
}

const PARENT_OUTPUT = /^\$\{\{\s*parent\.outputs\.([A-Za-z0-9_-]+)\s*\}\}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const DEFAULT_RETRY = { maxAttempts: 1, initialDelaySeconds: 10 };

export async function outlineJob(
  ctx: CompileContext,
  components: ComponentLoader,
  name: string,
  raw: unknown,
  place: Place,
  pipeline: PipelineOutline,
): Promise<JobOutline | undefined> {
  checkName(name, place, ctx.problems);
  if (isMapping(raw) && raw.type !== undefined && raw.type !== 'command') {
    place.at('type').problem(ctx.problems, `job type ${describeValue(raw.type)} is not supported (Tributary runs command jobs: an inline command or a command component)`);
    return undefined;
  }
  const job = parseAt(jobSchema, raw, place, ctx.problems);
  if (!job) return undefined;
  warnIgnored(jobSchema, job, place, ctx.warn);
  const component = job.component === undefined ? await inlineCommand(ctx, job, place) : await componentOf(ctx, components, job, job.component, place);
  if (!component) return undefined;
  const { outputs, writes } = jobOutputs(ctx, job, place, job.component === undefined ? undefined : component.outputs, pipeline);
  if (job.limits?.timeout !== undefined && job.tributary?.timeout_seconds !== undefined) {
    place.at('tributary', 'timeout_seconds').problem(ctx.problems, 'limits.timeout sets the timeout too (keep one of them)');
  }
  const timeoutSeconds = job.limits?.timeout ?? job.tributary?.timeout_seconds ?? pipeline.extras.timeout_seconds;
  const retry = job.tributary?.retry ?? pipeline.extras.retry;
  const allowReuse = job.tributary?.allow_reuse ?? (component.isDeterministic === false ? false : undefined) ?? pipeline.extras.allow_reuse ?? true;
  const displayName = job.display_name ?? component.displayName;
  return {
    place,
    job,
    ...(job.component !== undefined ? { declaredInputs: component.inputs } : {}),
    step: {
      name,
      kind: 'command',
      ...(displayName !== undefined ? { displayName } : {}),
      command: component.command,
      ...(component.codeDir !== undefined ? { codeDir: component.codeDir } : {}),
      ...(component.environment !== undefined ? { environment: component.environment } : {}),
      compute: job.compute ?? pipeline.defaultCompute ?? 'local',
      outputs,
      environmentVariables: environmentVariables(ctx, job, place, {
        inputs: job.component === undefined ? Object.keys(job.inputs ?? {}) : Object.keys(component.inputs),
        outputs: Object.keys(outputs),
      }),
      allowReuse: allowReuse && !pipeline.forceRerun,
      retry: retry ? { maxAttempts: retry.max_attempts, initialDelaySeconds: retry.initial_delay_seconds ?? DEFAULT_RETRY.initialDelaySeconds } : { ...DEFAULT_RETRY },
      ...(timeoutSeconds !== undefined ? { timeoutSeconds } : {}),
      origin: place.where,
    },
    writes,
  };
}

async function componentOf(ctx: CompileContext, components: ComponentLoader, job: Job, ref: NonNullable<Job['component']>, place: Place): Promise<Component | undefined> {
  for (const key of ['command', 'code', 'environment'] as const) {
    if (job[key] !== undefined) place.at(key).problem(ctx.problems, 'belongs in the component, not next to component: (move or remove it)');
  }
  return components.load(ref, place.at('component'));
}

/** An inline command job, seen as a component whose inputs are whatever the job binds. */
async function inlineCommand(ctx: CompileContext, job: Job, place: Place): Promise<Component | undefined> {
  if (job.command === undefined) {
    place.problem(ctx.problems, 'a job needs command: (an inline command) or component: (a command component file)');
    return undefined;
  }
  const codeDir = job.code === undefined ? undefined : await resolveCode(ctx, place.at('code'), job.code);
  const environment = job.environment === undefined ? undefined : await resolveEnvironment(ctx, place.at('environment'), job.environment);
  const declared = { inputs: Object.keys(job.inputs ?? {}), outputs: Object.keys(job.outputs ?? {}) };
  await checkCommand(ctx, place.at('command'), job.command, declared, codeDir);
  return {
    command: job.command,
    ...(codeDir !== undefined ? { codeDir } : {}),
    ...(environment !== undefined ? { environment } : {}),
    inputs: {},
    outputs: {},
  };
}

/** The step's outputs: the component's, adjusted by the job's `outputs:`; for inline jobs, the job's own. */
function jobOutputs(
  ctx: CompileContext,
  job: Job,
  place: Place,
  declared: Record<string, StepOutputSpec> | undefined,
  pipeline: PipelineOutline,
): Pick<JobOutline, 'writes'> & { outputs: Record<string, StepOutputSpec> } {
  const outputs = new Map(Object.entries(declared ?? {}));
  const writes: JobOutline['writes'] = [];
  for (const [name, value] of Object.entries(job.outputs ?? {})) {
    const at = place.at('outputs', name);
    if (declared && !Object.hasOwn(declared, name)) {
      at.problem(ctx.problems, `unknown output of the component (known: ${Object.keys(declared).join(', ') || 'none'})`);
      continue;
    }
    if (!declared) checkName(name, at, ctx.problems);
    let type = declared?.[name]?.type;
    let mode = declared?.[name]?.mode;
    if (typeof value === 'string') {
      const target = PARENT_OUTPUT.exec(value)?.[1];
      if (target === undefined) {
        at.problem(ctx.problems, `expected \${{parent.outputs.NAME}}, a mapping with type and mode, or nothing, got ${describeValue(value)}`);
        continue;
      }
      if (!pipeline.outputs.has(target)) {
        at.problem(ctx.problems, `unknown pipeline output "${target}" (known pipeline outputs: ${[...pipeline.outputs.keys()].join(', ') || 'none'}; declare it under the top-level outputs:)`);
        continue;
      }
      const decl = pipeline.outputs.get(target);
      if (type && decl?.type && decl.type !== type) at.problem(ctx.problems, `is a ${type}, but pipeline output "${target}" is declared ${decl.type}`);
      type ??= decl?.type;
      mode = decl?.mode ?? mode;
      writes.push({ pipelineOutput: target, output: name, place: at });
    } else if (value) {
      warnIgnored(outputSchema, value, at, ctx.warn);
      if (type && value.type && value.type !== type) at.at('type').problem(ctx.problems, `the component declares this output ${type}`);
      type ??= value.type;
      mode = value.mode ?? mode;
    }
    outputs.set(name, { type: type ?? 'uri_folder', ...(mode !== undefined ? { mode } : {}) });
  }
  return { outputs: Object.fromEntries(outputs), writes };
}

/** `environment_variables:`; a value may use the job's `${{inputs.NAME}}` and `${{outputs.NAME}}`, filled in when the step runs. */
function environmentVariables(ctx: CompileContext, job: Job, place: Place, declared: { inputs: string[]; outputs: string[] }): Record<string, string> {
  const variables = new Map<string, string>();
  for (const [key, value] of Object.entries(job.environment_variables ?? {})) {
    const at = place.at('environment_variables', key);
    if (!ENV_NAME.test(key)) {
      at.problem(ctx.problems, 'invalid environment variable name (letters, digits and "_", not starting with a digit)');
      continue;
    }
    checkReferences(ctx, at, String(value), declared);
    variables.set(key, String(value));
  }
  return Object.fromEntries(variables);
}
