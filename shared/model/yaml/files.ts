/**
 * The only I/O the YAML front door needs: reading component files and checking that folders and
 * files named in the YAML exist. Passed in, so the compiler runs on an in-memory tree in tests.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { ProblemList } from '../../errors';
import type { Place } from './read';

export interface SourceFiles {
  /** Text of the file at an absolute path, or undefined when there is no such file. */
  readText(absolutePath: string): Promise<string | undefined>;
  /** What is at an absolute path, or undefined when nothing is. */
  kind(absolutePath: string): Promise<'file' | 'directory' | undefined>;
}

export const diskFiles: SourceFiles = {
  async readText(absolutePath) {
    try {
      return await readFile(absolutePath, 'utf8');
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  },
  async kind(absolutePath) {
    try {
      const info = await stat(absolutePath);
      return info.isDirectory() ? 'directory' : info.isFile() ? 'file' : undefined;
    } catch (err) {
      if (isMissing(err)) return undefined;
      throw err;
    }
  },
};

function isMissing(err: unknown): boolean {
  const code = err instanceof Error && 'code' in err ? err.code : undefined;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR';
}

/** What every part of the compiler works with: the files, the problems found so far, where warnings go. */
export interface CompileContext {
  files: SourceFiles;
  problems: ProblemList;
  warn: (message: string) => void;
}

/** A path written in the YAML at `place`, made absolute relative to that YAML file. */
export function resolveFrom(place: Place, written: string): string {
  return path.resolve(path.dirname(place.source.file), written);
}

/** Adds a problem at `place` unless a `kind` exists at `absolutePath`; true when it does. */
export async function expectPath(ctx: CompileContext, place: Place, absolutePath: string, kind: 'file' | 'directory', what: string): Promise<boolean> {
  const found = await ctx.files.kind(absolutePath);
  if (found === kind) return true;
  const problem = found === undefined ? 'not found' : `is a ${found}, not a ${kind}`;
  place.problem(ctx.problems, `${what} ${absolutePath} ${problem} (paths are relative to the folder of ${place.source.file})`);
  return false;
}
