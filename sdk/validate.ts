/**
 * The SDK's boundary check: constructor options are parsed with a zod schema and every problem is
 * reported against the object path the user wrote (`PythonScriptStep(train).arguments[2]`), with
 * a hint when an Azure ML SDK v1 snake_case name was used for a camelCase option.
 */
import { z } from 'zod';
import { ProblemList, ValidationError } from '../shared/errors';
import { SAFE_NAME } from '../shared/util/safe-names';

export const NAME_RULE = 'use letters, digits, "_" and "-", starting with a letter or "_"';

/** A name that becomes a record key and a folder name (steps, inputs, outputs, parameters). */
export const safeName = z.string().regex(SAFE_NAME, { error: (issue) => `invalid name ${JSON.stringify(issue.input)} (${NAME_RULE})` });

/** `value` when it is a usable name; otherwise a ValidationError at `target`. */
export function checkName(value: unknown, target: string): string {
  const result = safeName.safeParse(value);
  if (!result.success) throw new ValidationError(`${target}: ${result.error.issues[0]!.message}`, target);
  return result.data;
}

/** `Class(name)` when the name is usable in messages, else `Class`. */
export function objectLabel(kind: string, name: unknown): string {
  return typeof name === 'string' && name !== '' && name.length <= 100 ? `${kind}(${name})` : kind;
}

/** `target` followed by a zod issue path: `.key` for keys, `[i]` for indexes. */
function pathText(target: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, seg) => (typeof seg === 'number' ? `${text}[${seg}]` : `${text}.${String(seg)}`), target);
}

function camelCase(key: string): string {
  return key.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

function unknownKeyMessage(key: string, known: readonly string[]): string {
  const camel = camelCase(key);
  if (camel !== key && known.includes(camel)) return `unknown option "${key}" (did you mean "${camel}"?)`;
  return `unknown option "${key}" (known: ${known.join(', ')})`;
}

/** Parses `value` with `schema`; throws one ValidationError naming each problem's object path. */
export function parseOptions<S extends z.ZodObject>(schema: S, value: unknown, target: string): z.output<S> {
  const result = schema.safeParse(value ?? {});
  if (result.success) return result.data;
  const problems = new ProblemList();
  for (const issue of result.error.issues) {
    const at = pathText(target, issue.path);
    if (issue.code === 'unrecognized_keys') {
      const known = issue.path.length === 0 ? Object.keys(schema.shape) : [];
      for (const key of issue.keys) problems.add(known.length ? unknownKeyMessage(key, known) : `unknown option "${key}"`, at);
    } else {
      problems.add(issue.message, at);
    }
  }
  problems.throwIfAny();
  throw new Error('unreachable: a failed parse reports at least one problem');
}
