/**
 * What a component or an inline job runs, resolved relative to the file that declares it: the
 * code folder, the environment, the command (checked against the declared inputs and outputs and
 * the script it starts), and local or datastore paths of data inputs.
 */
import path from 'node:path';
import type { z } from 'zod';
import type { DataType, EnvironmentSpec, InputBinding } from '../definition';
import { referencedNames } from '../command';
import { parseDatastoreUri } from '../parameters';
import { expectPath, resolveFrom, type CompileContext } from './files';
import type { Place } from './read';
import { inlineEnvironmentSchema, type environmentSchema } from './schema';
import { suggest, warnIgnored } from './validate';

const URL_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

/** `code:` as an absolute folder path; undefined (with a problem) when it is not a local folder. */
export async function resolveCode(ctx: CompileContext, place: Place, written: string): Promise<string | undefined> {
  if (written.startsWith('azureml:') || URL_SCHEME.test(written)) {
    place.problem(ctx.problems, `only local code folders are supported, got ${JSON.stringify(written)} (point code: at a folder next to the YAML)`);
    return undefined;
  }
  const absolute = resolveFrom(place, written);
  return (await expectPath(ctx, place, absolute, 'directory', 'code folder')) ? absolute : undefined;
}

export async function resolveEnvironment(
  ctx: CompileContext,
  place: Place,
  env: z.infer<typeof environmentSchema>,
): Promise<EnvironmentSpec | undefined> {
  if (typeof env === 'string') {
    if (env.startsWith('azureml:')) return { reference: env };
    place.problem(ctx.problems, `expected azureml:NAME:VERSION, azureml:NAME@latest, azureml://registries/... or a mapping with image and conda_file, got ${JSON.stringify(env)}`);
    return undefined;
  }
  warnIgnored(inlineEnvironmentSchema, env, place, ctx.warn);
  if (env.image === undefined && env.conda_file === undefined) {
    place.problem(ctx.problems, 'an inline environment needs image (and may add conda_file)');
    return undefined;
  }
  const spec: EnvironmentSpec = env.image === undefined ? {} : { image: env.image };
  if (env.conda_file !== undefined) {
    const condaFile = resolveFrom(place, env.conda_file);
    if (!(await expectPath(ctx, place.at('conda_file'), condaFile, 'file', 'conda file'))) return undefined;
    spec.condaFile = condaFile;
  }
  return spec;
}

/** `python [-flags] script.py ...`: the script, which must exist in the code folder. */
const PYTHON_SCRIPT = /^\s*python3?(?:\s+-[A-Za-z]+)*\s+([^\s'"`$;&|<>()]+\.py)(?=\s|$)/;

/** Checks a command's syntax, that it uses only declared inputs and outputs, and that the Python script it starts exists. */
export async function checkCommand(
  ctx: CompileContext,
  place: Place,
  command: string,
  declared: { inputs: readonly string[]; outputs: readonly string[] },
  codeDir: string | undefined,
): Promise<void> {
  checkReferences(ctx, place, command, declared);
  const script = PYTHON_SCRIPT.exec(command)?.[1];
  if (script === undefined || codeDir === undefined) return;
  const absolute = path.resolve(codeDir, script);
  if ((await ctx.files.kind(absolute)) !== 'file') {
    place.problem(ctx.problems, `missing script "${script}": ${absolute} not found (scripts are relative to the code folder ${codeDir})`);
  }
}

/** Checks a template's syntax (a command, an environment variable's value) and that it uses only declared inputs and outputs. */
export function checkReferences(ctx: CompileContext, place: Place, template: string, declared: { inputs: readonly string[]; outputs: readonly string[] }): void {
  const refs = referencedNames(template);
  for (const problem of refs.problems) place.problem(ctx.problems, problem);
  for (const [scope, names] of [['inputs', refs.inputs], ['outputs', refs.outputs]] as const) {
    for (const name of names) {
      if (!declared[scope].includes(name)) {
        place.problem(ctx.problems, `\${{${scope}.${name}}} refers to an undeclared ${scope.slice(0, -1)}${suggest(name, declared[scope], `declared ${scope}`)}`);
      }
    }
  }
}

/** A data input's path: `azureml://datastores/NAME/paths/PATH`, or a local path relative to the YAML that must exist. */
export async function dataBinding(ctx: CompileContext, place: Place, written: string, type: DataType): Promise<InputBinding | undefined> {
  if (written.startsWith('azureml://datastores/')) {
    const parsed = parseDatastoreUri(written);
    if ('problem' in parsed) {
      place.problem(ctx.problems, `${parsed.problem} (a datastore path must be relative, without ".." or control characters)`);
      return undefined;
    }
    return { kind: 'datastorePath', type, datastore: parsed.datastore, path: parsed.path };
  }
  if (written.startsWith('azureml:') || URL_SCHEME.test(written)) {
    place.problem(ctx.problems, `${JSON.stringify(written)} is not supported (use azureml://datastores/NAME/paths/PATH or a local path)`);
    return undefined;
  }
  const absolute = resolveFrom(place, written);
  const kind = type === 'uri_file' ? 'file' : 'directory';
  return (await expectPath(ctx, place, absolute, kind, `local ${type} path`)) ? { kind: 'localPath', type, path: absolute } : undefined;
}
