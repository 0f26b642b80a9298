/** Boundary validation of bodies and query strings with zod: every problem named by its path. */
import { z } from 'zod';
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

/**
 * z.record that refuses an own "__proto__" key: JSON.parse keeps it as a name, z.record drops it
 * without a word, so what was sent under that name (an input, a step) would vanish from what is stored.
 */
export function namedRecord<V extends z.ZodType>(value: V) {
  return z.preprocess((raw, ctx) => {
    if (typeof raw === 'object' && raw !== null && Object.hasOwn(raw, '__proto__')) {
      ctx.addIssue({ code: 'custom', message: '"__proto__" cannot be a name here', path: ['__proto__'] });
    }
    return raw;
  }, z.record(z.string(), value));
}
