/**
 * The step graph of a pipeline definition (edges come from `stepOutput` bindings) and the
 * structural validation every definition passes, whichever front door (YAML, SDK, stored JSON)
 * it came through. Pure functions over plain data.
 */
import path from 'node:path';
import { ProblemList } from '../errors';
import { SAFE_NAME } from '../util/safe-names';
import { referencedNames } from './command';
import type { InputBinding, InputType, PipelineDefinition, StepDefinition, StepInputSpec } from './definition';
import { coerceLiteral, datastoreProblem, describeValue, parseDatastoreUri } from './parameters';

/** Each step (in definition order) → the steps whose outputs it reads. Bindings to unknown steps are left out. */
export function stepDependencies(def: PipelineDefinition): Map<string, Set<string>> {
  const deps = new Map<string, Set<string>>();
  for (const [name, step] of Object.entries(def.steps)) {
    const upstream = new Set<string>();
    for (const input of Object.values(step.inputs)) {
      const binding = input.binding;
      if (binding?.kind === 'stepOutput' && Object.hasOwn(def.steps, binding.step)) upstream.add(binding.step);
    }
    deps.set(name, upstream);
  }
  return deps;
}

function downstreamOf(deps: Map<string, Set<string>>): Map<string, string[]> {
  const downstream = new Map<string, string[]>([...deps.keys()].map((name) => [name, []]));
  for (const [name, upstream] of deps) for (const up of upstream) downstream.get(up)!.push(name);
  return downstream;
}

/**
 * Steps ordered so every step comes after the steps it reads from; among steps that are ready at
 * the same time, definition order. Throws a ValidationError naming the cycle when there is one.
 */
export function topologicalOrder(def: PipelineDefinition): string[] {
  const deps = stepDependencies(def);
  const downstream = downstreamOf(deps);
  const waiting = new Map([...deps].map(([name, upstream]) => [name, upstream.size]));
  const order = [...deps.keys()].filter((name) => waiting.get(name) === 0);
  for (let i = 0; i < order.length; i++) {
    for (const next of downstream.get(order[i]!)!) {
      const left = waiting.get(next)! - 1;
      waiting.set(next, left);
      if (left === 0) order.push(next);
    }
  }
  if (order.length < deps.size) assertAcyclic(def);
  return order;
}

/** Throws a ValidationError naming every cycle (`cycle: prep -> train -> prep`) with the steps' origins. */
export function assertAcyclic(def: PipelineDefinition): void {
  const problems = new ProblemList();
  addCycleProblems(def, problems);
  problems.throwIfAny();
}

function addCycleProblems(def: PipelineDefinition, problems: ProblemList): void {
  const names = Object.keys(def.steps);
  const rank = new Map(names.map((name, i) => [name, i]));
  const seen = new Set<string>();
  for (const cycle of findCycles(downstreamOf(stepDependencies(def)), names)) {
    const start = cycle.indexOf(cycle.reduce((a, b) => (rank.get(b)! < rank.get(a)! ? b : a)));
    const rotated = [...cycle.slice(start), ...cycle.slice(0, start)];
    const key = rotated.join('\u0000');
    if (seen.has(key)) continue;
    seen.add(key);
    const loop = [...rotated, rotated[0]!];
    const origins = rotated.map((name) => `${name} at ${def.steps[name]!.origin}`).join(', ');
    const bindings = rotated.flatMap((from, i) => bindingsBetween(def.steps[loop[i + 1]!]!, from));
    problems.add(
      `cycle: ${loop.join(' -> ')} (${origins}; remove one of these bindings: ${bindings.join(', ')})`,
      def.steps[rotated[0]!]!.origin,
    );
  }
}

function bindingsBetween(reader: StepDefinition, writer: string): string[] {
  return Object.entries(reader.inputs)
    .filter(([, input]) => input.binding?.kind === 'stepOutput' && input.binding.step === writer)
    .map(([name]) => `${reader.name}.inputs.${name}`);
}

/** Cycles along `edges`, found by an iterative depth-first search (deep pipelines must not overflow the stack). */
function findCycles(edges: Map<string, string[]>, names: string[]): string[][] {
  const state = new Map<string, 'open' | 'done'>();
  const cycles: string[][] = [];
  for (const root of names) {
    if (state.has(root)) continue;
    const stack: { name: string; next: number }[] = [{ name: root, next: 0 }];
    state.set(root, 'open');
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const to = edges.get(top.name)![top.next++];
      if (to === undefined) {
        state.set(top.name, 'done');
        stack.pop();
      } else if (state.get(to) === 'open') {
        cycles.push(stack.slice(stack.findIndex((frame) => frame.name === to)).map((frame) => frame.name));
      } else if (!state.has(to)) {
        state.set(to, 'open');
        stack.push({ name: to, next: 0 });
      }
    }
  }
  return cycles;
}

/**
 * Why a value of type `provided` cannot feed an input declared `declared`, or undefined when it can:
 * integers feed numbers, any scalar feeds a string, any data type feeds a data input.
 */
export function bindingTypeProblem(declared: InputType, provided: InputType): string | undefined {
  const isData = (t: InputType) => t === 'uri_folder' || t === 'uri_file';
  if (declared === provided || (declared === 'number' && provided === 'integer')) return undefined;
  if (isData(declared) ? isData(provided) : declared === 'string' && !isData(provided)) return undefined;
  return `expects ${declared} but is bound to a ${provided}`;
}

const NAME_RULE = 'use letters, digits, "_" and "-", starting with a letter or "_" (names become folder names)';

export interface ValidateOptions {
  /** Compute names this deployment can run on; unchecked when absent. */
  knownComputes?: readonly string[];
  /** How the caller maps a compute onto local processes (`--compute X=local`, the SDK's `computeMap`), for the unknown-compute message. */
  computeMapHint?: (compute: string) => string;
}

/** Structural validation of any pipeline definition; throws one ValidationError listing every problem. */
export function validateDefinition(def: PipelineDefinition, options: ValidateOptions = {}): void {
  const problems = new ProblemList();
  for (const [name, spec] of Object.entries(def.inputs)) {
    if (!SAFE_NAME.test(name)) problems.add(`inputs.${name}: invalid name (${NAME_RULE})`, def.source);
    const problem = spec.default === undefined ? undefined : valueProblem(spec.type, spec.default);
    if (problem) problems.add(`inputs.${name}.default: ${problem}`, def.source);
  }
  addCaseClashes(Object.keys(def.steps), 'steps', def.source, problems);
  for (const [key, step] of Object.entries(def.steps)) checkStep(def, key, step, options, problems);
  for (const [name, out] of Object.entries(def.outputs)) {
    if (!SAFE_NAME.test(name)) problems.add(`outputs.${name}: invalid name (${NAME_RULE})`, def.source);
    const step = def.steps[out.step];
    if (!Object.hasOwn(def.steps, out.step) || !step) {
      problems.add(`outputs.${name}: bound to unknown step "${out.step}" (known: ${known(def.steps)})`, def.source);
    } else if (!Object.hasOwn(step.outputs, out.output)) {
      problems.add(`outputs.${name}: bound to unknown output "${out.output}" of step "${out.step}" (known: ${known(step.outputs)})`, def.source);
    }
  }
  addCycleProblems(def, problems);
  problems.throwIfAny();
}

function checkStep(def: PipelineDefinition, key: string, step: StepDefinition, { knownComputes: computes, computeMapHint }: ValidateOptions, problems: ProblemList): void {
  const at = (field: string, message: string) => problems.add(`steps.${key}${field}: ${message}`, step.origin);
  if (!SAFE_NAME.test(key)) at('', `invalid step name (${NAME_RULE})`);
  if (step.name !== key) at('.name', `"${step.name}" differs from the step's key "${key}"`);
  if (computes && !computes.includes(step.compute)) {
    const hint = computeMapHint ? `; to run it here, map it with ${computeMapHint(step.compute)}` : '';
    at('.compute', `unknown compute "${step.compute}" (known: ${computes.join(', ') || 'none'}${hint})`);
  }
  if (step.codeDir !== undefined && !path.isAbsolute(step.codeDir)) at('.codeDir', `must be an absolute path, got ${describeValue(step.codeDir)}`);
  if (!Number.isInteger(step.retry.maxAttempts) || step.retry.maxAttempts < 1) at('.retry.maxAttempts', 'must be an integer of at least 1');
  if (!(step.retry.initialDelaySeconds >= 0)) at('.retry.initialDelaySeconds', 'must be 0 or more');
  if (step.timeoutSeconds !== undefined && !(step.timeoutSeconds > 0)) at('.timeoutSeconds', 'must be more than 0');
  for (const [name, input] of Object.entries(step.inputs)) {
    if (!SAFE_NAME.test(name)) at(`.inputs.${name}`, `invalid input name (${NAME_RULE})`);
    const problem = bindingProblem(def, input);
    if (problem) at(`.inputs.${name}`, problem);
  }
  for (const name of Object.keys(step.outputs)) {
    if (!SAFE_NAME.test(name)) at(`.outputs.${name}`, `invalid output name (${NAME_RULE})`);
  }
  addCaseClashes(Object.keys(step.outputs), `steps.${key}.outputs`, step.origin, problems);
  checkTemplate(step, step.command, '.command', at);
  for (const [name, value] of Object.entries(step.environmentVariables)) checkTemplate(step, value, `.environmentVariables.${name}`, at);
}

/** A command or environment value uses only the step's inputs and outputs, and outside `$[[ ... ]]` only inputs that have a value. */
function checkTemplate(step: StepDefinition, template: string, field: string, at: (field: string, message: string) => void): void {
  const refs = referencedNames(template);
  for (const problem of refs.problems) at(field, problem);
  for (const name of refs.inputs) {
    if (!Object.hasOwn(step.inputs, name)) at(field, `unknown reference \${{inputs.${name}}} (known inputs: ${known(step.inputs)})`);
  }
  for (const name of refs.outputs) {
    if (!Object.hasOwn(step.outputs, name)) at(field, `unknown reference \${{outputs.${name}}} (known outputs: ${known(step.outputs)})`);
  }
  for (const name of refs.required) {
    const input = step.inputs[name];
    if (input && input.binding === undefined) at(field, `\${{inputs.${name}}} has no value: input "${name}" is optional and unbound (bind it, or put the part that uses it inside $[[ ... ]])`);
  }
}

function bindingProblem(def: PipelineDefinition, input: StepInputSpec): string | undefined {
  const binding: InputBinding | undefined = input.binding;
  switch (binding?.kind) {
    case undefined:
      return input.optional ? undefined : 'required input has no binding (bind it, or declare it optional)';
    case 'literal':
      return valueProblem(input.type, binding.value);
    case 'pipelineInput': {
      const spec = def.inputs[binding.name];
      if (!Object.hasOwn(def.inputs, binding.name) || !spec) return `unknown pipeline input "${binding.name}" (known: ${known(def.inputs)})`;
      return bindingTypeProblem(input.type, spec.type);
    }
    case 'stepOutput': {
      const upstream = def.steps[binding.step];
      if (!Object.hasOwn(def.steps, binding.step) || !upstream) return `unknown step "${binding.step}" (known: ${known(def.steps)})`;
      const output = upstream.outputs[binding.output];
      if (!Object.hasOwn(upstream.outputs, binding.output) || !output) {
        return `unknown output "${binding.output}" of step "${binding.step}" (known: ${known(upstream.outputs)})`;
      }
      return bindingTypeProblem(input.type, output.type);
    }
    case 'datastorePath':
      return datastoreProblem(binding.datastore, binding.path) ?? bindingTypeProblem(input.type, binding.type);
    case 'localPath':
      return path.isAbsolute(binding.path) ? bindingTypeProblem(input.type, binding.type) : `local path must be absolute, got ${describeValue(binding.path)}`;
  }
}

function valueProblem(type: InputType, value: string | number | boolean): string | undefined {
  if (coerceLiteral(type, value) === undefined) return `wrong parameter type: expected ${type}, got ${describeValue(value)}`;
  if ((type === 'uri_folder' || type === 'uri_file') && typeof value === 'string' && value.startsWith('azureml:')) {
    const parsed = parseDatastoreUri(value);
    if ('problem' in parsed) return parsed.problem;
  }
  return undefined;
}

/** Names that differ only in case become the same folder on case-insensitive file systems. */
function addCaseClashes(names: string[], label: string, target: string, problems: ProblemList): void {
  const byFolded = new Map<string, string>();
  for (const name of names) {
    const first = byFolded.get(name.toLowerCase());
    if (first !== undefined) problems.add(`${label}.${name}: clashes with "${first}" (names must differ in more than letter case)`, target);
    else byFolded.set(name.toLowerCase(), name);
  }
}

function known(record: Record<string, unknown>): string {
  return Object.keys(record).join(', ') || 'none';
}
