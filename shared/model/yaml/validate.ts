/**
 * Checking YAML values against the zod shapes, with every problem reported at its key's line:
 * unknown keys with a did-you-mean, wrong types with what was found, ignored keys as warnings.
 */
import { z } from 'zod';
import type { ProblemList } from '../../errors';
import { SAFE_NAME } from '../../util/safe-names';
import { describeValue } from '../parameters';
import { ignored } from './schema';
import type { Place } from './read';
import type { PathSeg } from './yaml-path';

type Issue = z.core.$ZodIssue;

/** The value as `schema` types it, or undefined after adding a problem per issue. */
export function parseAt<T>(schema: z.ZodType<T>, value: unknown, place: Place, problems: ProblemList): T | undefined {
  const result = parseReporting(schema, value, place, problems);
  return result.success ? result.data : undefined;
}

/**
 * Like `parseAt` for a mapping, but when some keys are wrong the rest is still returned (parsed
 * without them), so later checks can go on and report more in the same pass.
 */
export function parseSalvaging<T>(schema: z.ZodType<T>, value: unknown, place: Place, problems: ProblemList): T | undefined {
  const result = parseReporting(schema, value, place, problems);
  if (result.success) return result.data;
  if (!isMapping(value)) return undefined;
  const bad = new Set(result.error.issues.flatMap((i) => (i.code === 'unrecognized_keys' && i.path.length === 0 ? i.keys : [String(i.path[0])])));
  const retry = schema.safeParse(Object.fromEntries(Object.entries(value).filter(([key]) => !bad.has(key))));
  return retry.success ? retry.data : undefined;
}

function parseReporting<T>(schema: z.ZodType<T>, value: unknown, place: Place, problems: ProblemList) {
  const result = schema.safeParse(value, { reportInput: true });
  if (!result.success) for (const issue of result.error.issues) report(issue, [], schema, place, problems);
  return result;
}

export function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Warns about each key of `value` that `schema` accepts only to ignore it. */
export function warnIgnored(schema: z.ZodObject, value: unknown, place: Place, warn: (message: string) => void): void {
  if (!isMapping(value)) return;
  for (const key of ignoredKeys(schema)) {
    if (value[key] !== undefined) warn(place.at(key).warning('accepted for Azure ML compatibility and ignored by Tributary'));
  }
}

const ignoredKeysBySchema = new WeakMap<z.ZodObject, string[]>();

/** The keys `schema` accepts only to ignore them; found once per schema (it is asked once per job). */
function ignoredKeys(schema: z.ZodObject): string[] {
  let keys = ignoredKeysBySchema.get(schema);
  if (!keys) {
    keys = Object.entries(schema.shape).flatMap(([key, keySchema]) => (keySchema === ignored ? [key] : []));
    ignoredKeysBySchema.set(schema, keys);
  }
  return keys;
}

/** Adds a problem when `name` (a job, input or output name) cannot be a folder name. */
export function checkName(name: string, place: Place, problems: ProblemList): void {
  if (!SAFE_NAME.test(name)) {
    place.problem(problems, 'invalid name (use letters, digits, "_" and "-", starting with a letter or "_"; names become folder names)');
  }
}

/** " (did you mean "x"?)" for a near miss, else " (known: a, b)". */
export function suggest(word: string, known: readonly string[], noun = 'known'): string {
  const near = closest(word, known);
  return near === undefined ? ` (${noun}: ${known.join(', ') || 'none'})` : ` (did you mean "${near}"?)`;
}

function closest(word: string, candidates: readonly string[]): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3));
  let best: { name: string; distance: number } | undefined;
  for (const name of candidates) {
    const distance = editDistance(word.toLowerCase(), name.toLowerCase());
    if (distance <= limit && (!best || distance < best.distance)) best = { name, distance };
  }
  return best?.name;
}

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of neighbours. */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
    }
  }
  return d[a.length]![b.length]!;
}

function report(issue: Issue, prefix: PathSeg[], root: z.core.$ZodType, place: Place, problems: ProblemList): void {
  const path = [...prefix, ...issue.path.map((seg) => (typeof seg === 'number' ? seg : String(seg)))];
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeys(root, path);
    for (const key of issue.keys) place.at(...path, key).problem(problems, `unknown key${suggest(key, known, 'known keys')}`);
    return;
  }
  if (issue.code === 'invalid_union') {
    // The branch the value was meant for is the one whose type matched; report its issues.
    const matched = issue.errors.filter((branch) => !branch.some(isTypeMismatch));
    if (matched.length === 1) for (const inner of matched[0]!) report(inner, path, root, place, problems);
    else place.at(...path).problem(problems, `expected ${orList([...new Set(issue.errors.flatMap((b) => b.flatMap(expectedOf)))])}, got ${describe(issue.input)}`);
    return;
  }
  place.at(...path).problem(problems, message(issue));
}

function message(issue: Issue): string {
  switch (issue.code) {
    case 'invalid_type':
      return issue.input === undefined ? 'required key is missing (add it)' : `expected ${noun(issue.expected)}, got ${describe(issue.input)}`;
    case 'invalid_value':
      return `expected ${orList(issue.values.map((v) => JSON.stringify(v)))}, got ${describe(issue.input)}`;
    case 'too_small':
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${issue.minimum}, got ${describe(issue.input)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${issue.maximum}, got ${describe(issue.input)}`;
    default:
      return issue.message;
  }
}

function isTypeMismatch(issue: Issue): boolean {
  if (issue.path.length > 0) return false;
  return issue.code === 'invalid_type' || (issue.code === 'invalid_union' && issue.errors.every((b) => b.some(isTypeMismatch)));
}

function expectedOf(issue: Issue): string[] {
  if (issue.path.length > 0) return [];
  if (issue.code === 'invalid_type') return [noun(issue.expected)];
  return issue.code === 'invalid_union' ? issue.errors.flatMap((b) => b.flatMap(expectedOf)) : [];
}

function orList(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

function noun(expected: string): string {
  const nouns: Record<string, string> = { object: 'a mapping', record: 'a mapping', array: 'a list', int: 'an integer', boolean: 'a boolean (true or false)' };
  return nouns[expected] ?? `a ${expected}`;
}

function describe(value: unknown): string {
  if (value === null) return 'an empty value';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'a mapping' : describeValue(value);
}

/** Keys the object schema at `path` accepts, for did-you-mean hints. */
function knownKeys(schema: z.core.$ZodType, path: readonly PathSeg[]): string[] {
  let current: z.core.$ZodType | undefined = schema;
  for (const seg of [...path, undefined]) {
    while (current instanceof z.ZodOptional || current instanceof z.ZodNullable) current = current.unwrap();
    if (current instanceof z.ZodUnion) current = current.options.find((o) => o instanceof z.ZodObject || o instanceof z.ZodRecord);
    if (seg === undefined) break;
    if (current instanceof z.ZodObject) current = current.shape[seg];
    else if (current instanceof z.ZodRecord) current = current.valueType;
    else return [];
  }
  return current instanceof z.ZodObject ? Object.keys(current.shape) : [];
}
