/**
 * Values of inputs: what a value of each declared type may be, pipeline parameter overrides from
 * the CLI (`--set`) and HTTP (`ParameterAssignments`), and datastore URIs.
 */
import { datastorePathProblem } from '../datastore/datastore-uri';
import { ProblemList } from '../errors';
import { SAFE_NAME } from '../util/safe-names';
import type { InputType, PipelineDefinition, ScalarValue } from './definition';

/**
 * A typed value (YAML literal, JSON value) as the declared type, or undefined when it is not one.
 * Integral numbers are integers; `string` inputs take any scalar and keep its text.
 */
export function coerceLiteral(type: InputType, value: ScalarValue): ScalarValue | undefined {
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
    case 'number':
      return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
    case 'boolean':
      return typeof value === 'boolean' ? value : undefined;
    case 'string':
      return typeof value === 'number' && !Number.isFinite(value) ? undefined : String(value);
    case 'uri_folder':
    case 'uri_file':
      return typeof value === 'string' && value !== '' ? value : undefined;
  }
}

const INTEGER_TEXT = /^[+-]?\d+$/;
const NUMBER_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const BOOLEAN_TEXT = /^(?:true|false)$/i;

/** A value typed as text (a CLI flag, a query string) as the declared type, or undefined. */
export function parseScalarText(type: InputType, text: string): ScalarValue | undefined {
  switch (type) {
    case 'integer':
      return INTEGER_TEXT.test(text) ? coerceLiteral(type, Number(text)) : undefined;
    case 'number':
      return NUMBER_TEXT.test(text) ? coerceLiteral(type, Number(text)) : undefined;
    case 'boolean':
      return BOOLEAN_TEXT.test(text) ? text.toLowerCase() === 'true' : undefined;
    default:
      return coerceLiteral(type, text);
  }
}

const DATASTORE_URI = /^azureml:\/\/datastores\/([^/]*)\/paths\/(.*)$/s;
const DATASTORE_NAME = /^[A-Za-z0-9_]{1,255}$/;

/** `azureml://datastores/<name>/paths/<path>` split and checked. */
export function parseDatastoreUri(uri: string): { datastore: string; path: string } | { problem: string } {
  const match = DATASTORE_URI.exec(uri);
  if (!match) return { problem: `${JSON.stringify(uri)} is not of the form azureml://datastores/NAME/paths/PATH` };
  const datastore = match[1]!;
  const p = match[2]!;
  const problem = datastoreProblem(datastore, p);
  return problem ? { problem: `${problem}: ${JSON.stringify(uri)}` } : { datastore, path: p };
}

/**
 * Why a datastore name and a path inside it cannot be used, or undefined when they can. The path
 * rules are the datastore's own (no "..", not absolute, no control characters, ...), so what
 * compiles here is what the datastore accepts at run time; a folder path may end in "/".
 */
export function datastoreProblem(datastore: string, p: string): string | undefined {
  if (!DATASTORE_NAME.test(datastore)) return `datastore name ${JSON.stringify(datastore)} is invalid (use letters, digits and "_")`;
  const problem = datastorePathProblem(p.endsWith('/') ? p.slice(0, -1) : p);
  return problem && `the path ${problem}`;
}

/** Why a value is not usable for a data input (`uri_folder`/`uri_file`), or undefined when it is. */
function dataValueProblem(value: string): string | undefined {
  if (!value.startsWith('azureml:')) return undefined;
  const parsed = parseDatastoreUri(value);
  return 'problem' in parsed ? parsed.problem : undefined;
}

export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  return String(value);
}

/**
 * The pipeline's input values for one run: defaults, overridden by `overrides` (text from the CLI
 * is parsed to the declared type; JSON values must already have it). Unknown names, wrong types and
 * required inputs left without a value are reported together; `sourceLabel` (`--set`,
 * `ParameterAssignments`) says where the overrides came from. Optional inputs without a value are
 * left out.
 */
export function resolveParameters(
  def: PipelineDefinition,
  overrides: Record<string, string | number | boolean>,
  sourceLabel: string,
): Record<string, ScalarValue> {
  const problems = new ProblemList();
  const known = Object.keys(def.inputs);
  for (const name of Object.keys(overrides)) {
    if (!Object.hasOwn(def.inputs, name)) {
      problems.add(`inputs.${name}: unknown pipeline input (known: ${known.join(', ') || 'none'})`, sourceLabel);
    }
  }
  const resolved = new Map<string, ScalarValue>();
  for (const [name, spec] of Object.entries(def.inputs)) {
    if (!Object.hasOwn(overrides, name)) {
      if (spec.default !== undefined) resolved.set(name, spec.default);
      else if (!spec.optional) problems.add(`inputs.${name}: required pipeline input has no value (give it a value, or a default in the pipeline)`, sourceLabel);
      continue;
    }
    const given = overrides[name]!;
    const value = typeof given === 'string' ? parseScalarText(spec.type, given) : coerceLiteral(spec.type, given);
    const problem = typeof value === 'string' && (spec.type === 'uri_folder' || spec.type === 'uri_file') ? dataValueProblem(value) : undefined;
    if (value === undefined) problems.add(`inputs.${name}: wrong parameter type: expected ${spec.type}, got ${describeValue(given)}`, sourceLabel);
    else if (problem) problems.add(`inputs.${name}: ${problem}`, sourceLabel);
    else resolved.set(name, value);
  }
  problems.throwIfAny();
  return Object.fromEntries(resolved);
}

/** `--set` flags (`inputs.NAME=VALUE` or `NAME=VALUE`) as NAME → VALUE text, parsed later by `resolveParameters`. */
export function parseSetFlags(flags: readonly string[]): Record<string, string> {
  const problems = new ProblemList();
  const values = new Map<string, string>();
  for (const flag of flags) {
    const eq = flag.indexOf('=');
    const key = eq < 0 ? flag : flag.slice(0, eq);
    const name = key.startsWith('inputs.') ? key.slice('inputs.'.length) : key;
    if (eq < 0) {
      problems.add(`${JSON.stringify(flag)}: expected inputs.NAME=VALUE or NAME=VALUE`, '--set');
    } else if (!SAFE_NAME.test(name)) {
      const why = /^[A-Za-z_][A-Za-z0-9_-]*\./.test(name) ? 'only pipeline inputs can be set' : `${JSON.stringify(name)} is not an input name`;
      problems.add(`${JSON.stringify(flag)}: ${why} (write inputs.NAME=VALUE or NAME=VALUE)`, '--set');
    } else if (values.has(name)) {
      problems.add(`${JSON.stringify(flag)}: input "${name}" is set twice (keep one)`, '--set');
    } else {
      values.set(name, flag.slice(eq + 1));
    }
  }
  problems.throwIfAny();
  return Object.fromEntries(values);
}
