/**
 * A job's `inputs:` as step input bindings: `${{parent.inputs.x}}`, `${{parent.jobs.a.outputs.b}}`,
 * literal values (type-checked against the component), and data paths (`{type, path}` or a bare
 * path string). A component job gets one entry per declared component input, defaults filled in.
 */
import type { DataType, InputBinding, InputType, StepInputSpec } from '../definition';
import { bindingTypeProblem } from '../graph';
import { coerceLiteral, describeValue } from '../parameters';
import type { CompileContext } from './files';
import type { JobOutline } from './jobs';
import { literalType, type PipelineOutline } from './pipeline';
import type { Place } from './read';
import type { Job } from './schema';
import { dataBinding } from './sources';
import { checkName, suggest } from './validate';

const PARENT_INPUT = /^\$\{\{\s*parent\.inputs\.([A-Za-z0-9_-]+)\s*\}\}$/;
const JOB_OUTPUT = /^\$\{\{\s*parent\.jobs\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)\s*\}\}$/;

type InputValue = NonNullable<Job['inputs']>[string];

interface Scope {
  ctx: CompileContext;
  pipeline: PipelineOutline;
  /** Every job by name; undefined for a job that is itself wrong (bindings to it are not checked further). */
  jobs: Map<string, JobOutline | undefined>;
}

/** What a value bound, and the type it provides; undefined when it is wrong (reported) or cannot be checked. */
type Bound = { binding: InputBinding; type: InputType; optional: boolean } | undefined;

export async function bindInputs(
  ctx: CompileContext,
  outline: JobOutline,
  pipeline: PipelineOutline,
  jobs: Map<string, JobOutline | undefined>,
): Promise<Record<string, StepInputSpec>> {
  const scope: Scope = { ctx, pipeline, jobs };
  const given = outline.job.inputs ?? {};
  const declared = outline.declaredInputs;
  const inputs = new Map<string, StepInputSpec>();
  for (const [name, value] of Object.entries(given)) {
    const at = outline.place.at('inputs', name);
    const spec = declared?.[name];
    if (declared && (!Object.hasOwn(declared, name) || !spec)) {
      at.problem(ctx.problems, `unknown input of the component${suggest(name, Object.keys(declared), 'declared inputs')}`);
      continue;
    }
    if (!declared) checkName(name, at, ctx.problems);
    const bound = await bindValue(scope, at, value, spec?.type);
    if (!bound) continue;
    const problem = spec ? bindingTypeProblem(spec.type, bound.type) : undefined;
    if (problem) at.problem(ctx.problems, problem);
    else inputs.set(name, { type: spec?.type ?? bound.type, optional: spec?.optional ?? bound.optional, binding: bound.binding });
  }
  for (const [name, spec] of Object.entries(declared ?? {})) {
    if (Object.hasOwn(given, name)) continue;
    if (spec.default !== undefined) {
      inputs.set(name, { type: spec.type, optional: spec.optional, binding: { kind: 'literal', type: spec.type, value: spec.default } });
    } else if (spec.optional) {
      inputs.set(name, { type: spec.type, optional: true });
    } else {
      outline.place.at('inputs', name).problem(ctx.problems, 'required input of the component is not bound (bind it under the job\'s inputs:, or give it a default in the component)');
    }
  }
  return Object.fromEntries(inputs);
}

async function bindValue(scope: Scope, at: Place, value: InputValue, declared: InputType | undefined): Promise<Bound> {
  const { ctx } = scope;
  const isData = declared === 'uri_folder' || declared === 'uri_file';
  if (typeof value === 'string' && value.includes('${{')) return bindExpression(scope, at, value);
  if (typeof value === 'object') {
    if (value.path === undefined) {
      at.problem(ctx.problems, 'a data input mapping needs path (a local path or azureml://datastores/NAME/paths/PATH)');
      return undefined;
    }
    if (declared && !isData) {
      at.problem(ctx.problems, `the component declares this input ${declared}: give a value, not a path`);
      return undefined;
    }
    if (value.type && declared && value.type !== declared) {
      at.at('type').problem(ctx.problems, `the component declares this input ${declared}`);
      return undefined;
    }
    if (value.path.includes('${{')) return bindExpression(scope, at.at('path'), value.path);
    return dataValue(ctx, at.at('path'), value.path, value.type ?? (isData ? declared : 'uri_folder'));
  }
  if (isData) {
    if (typeof value === 'string') return dataValue(ctx, at, value, declared);
    at.problem(ctx.problems, `expected a path for a ${declared} input, got ${describeValue(value)}`);
    return undefined;
  }
  const type = declared ?? literalType(value);
  const literal = coerceLiteral(type, value);
  if (literal === undefined) {
    at.problem(ctx.problems, `wrong parameter type: expected ${type}, got ${describeValue(value)}`);
    return undefined;
  }
  return { binding: { kind: 'literal', type, value: literal }, type, optional: false };
}

async function dataValue(ctx: CompileContext, at: Place, written: string, type: DataType): Promise<Bound> {
  const binding = await dataBinding(ctx, at, written, type);
  return binding && { binding, type, optional: false };
}

function bindExpression(scope: Scope, at: Place, text: string): Bound {
  const { ctx, pipeline, jobs } = scope;
  const parentInput = PARENT_INPUT.exec(text);
  if (parentInput) {
    const name = parentInput[1]!;
    if (!pipeline.inputs.has(name)) {
      at.problem(ctx.problems, `unknown pipeline input "${name}" (known pipeline inputs: ${[...pipeline.inputs.keys()].join(', ') || 'none'})`);
      return undefined;
    }
    const spec = pipeline.inputs.get(name);
    return spec && { binding: { kind: 'pipelineInput', name }, type: spec.type, optional: spec.optional === true && spec.default === undefined };
  }
  const jobOutput = JOB_OUTPUT.exec(text);
  if (jobOutput) {
    const [job, output] = [jobOutput[1]!, jobOutput[2]!];
    if (!jobs.has(job)) {
      at.problem(ctx.problems, `unknown job "${job}" (known: ${[...jobs.keys()].join(', ')})`);
      return undefined;
    }
    const upstream = jobs.get(job);
    if (!upstream) return undefined;
    const spec = upstream.step.outputs[output];
    if (!Object.hasOwn(upstream.step.outputs, output) || !spec) {
      at.problem(ctx.problems, `unknown output "${output}" of job "${job}" (known: ${Object.keys(upstream.step.outputs).join(', ') || 'none'})`);
      return undefined;
    }
    return { binding: { kind: 'stepOutput', step: job, output }, type: spec.type, optional: false };
  }
  at.problem(ctx.problems, `unsupported expression ${describeValue(text)} (bind a whole value: \${{parent.inputs.NAME}} or \${{parent.jobs.JOB.outputs.NAME}})`);
  return undefined;
}
