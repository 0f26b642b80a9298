/** Boundary validation of bodies and query strings with zod: every problem named by its path. */
import type { z } from 'zod';
import { ProblemList, ValidationError } from '../errors';

function pathText(target: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, seg) => (typeof seg === 'number' ? `${text}[${seg}]` : text ? `${text}.${String(seg)}` : String(seg)), target);
}

/** `value` parsed by `schema`, or one ValidationError listing each problem at its path under `target`. */
export function parseWith<S extends z.ZodType>(schema: S, value: unknown, target: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = new ProblemList();
  for (const issue of result.error.issues) {
    const at = pathText(target, issue.path);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) problems.add(`unknown field "${key}"`, at || target);
    } else {
      problems.add(issue.message, at || target);
    }
  }
  problems.throwIfAny();
  throw new ValidationError(`${target}: invalid`, target);
}

/**
 * The query string as an object of the names `known` allows (each at most once); an unknown or
 * repeated name is a ValidationError listing the known ones.
 */
export function queryObject(params: URLSearchParams, known: readonly string[]): Record<string, string> {
  const problems = new ProblemList();
  const out: Record<string, string> = {};
  for (const [name, value] of params) {
    if (!known.includes(name)) problems.add(`unknown query parameter "${name}" (known: ${known.join(', ') || 'none'})`, name);
    else if (Object.hasOwn(out, name)) problems.add(`query parameter "${name}" is given more than once`, name);
    else out[name] = value;
  }
  problems.throwIfAny();
  return out;
}
