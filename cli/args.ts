/** Small helpers over node:util parseArgs shared by every command. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ValidationError } from '../shared/errors';

export type Options = NonNullable<ParseArgsConfig['options']>;

export const COMMON_OPTIONS = {
  json: { type: 'boolean' },
  workspace: { type: 'string', short: 'w' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

export function parseCommand<O extends Options>(args: string[], options: O, usage: string) {
  try {
    return parseArgs({ args, options: { ...COMMON_OPTIONS, ...options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new ValidationError(`${(err as Error).message}\nusage: ${usage}`);
  }
}

export function needPositional(positionals: string[], index: number, what: string, usage: string): string {
  const value = positionals[index];
  if (value === undefined) throw new ValidationError(`missing ${what}\nusage: ${usage}`);
  return value;
}

/** Rejects arguments beyond the `count` a command takes (a second pipeline file would otherwise be ignored). */
export function atMostPositionals(positionals: string[], count: number, usage: string): void {
  const extra = positionals.slice(count);
  if (extra.length > 0) throw new ValidationError(`unexpected argument${extra.length > 1 ? 's' : ''} ${extra.map((a) => JSON.stringify(a)).join(' ')}\nusage: ${usage}`);
}

/** `--compute azureml:cpu-cluster=local` flags → map. */
export function parseComputeFlags(flags: string[] | undefined): Record<string, string> {
  const map: Record<string, string> = {};
  for (const flag of flags ?? []) {
    const eq = flag.lastIndexOf('=');
    if (eq <= 0 || eq === flag.length - 1) {
      throw new ValidationError(`--compute ${flag}: expected CLOUD_NAME=local (e.g. --compute azureml:cpu-cluster=local)`, '--compute');
    }
    map[flag.slice(0, eq)] = flag.slice(eq + 1);
  }
  return map;
}
