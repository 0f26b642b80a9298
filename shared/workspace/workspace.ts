/**
 * The local workspace folder (default `.tributary/` in the current directory): run history,
 * step folders, the embedded Azurite data and the local API key all live under it.
 */
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { describeError, ValidationError } from '../errors';
import { assertSafeName } from '../util/safe-names';

export interface Workspace {
  root: string;
  historyDb: string;
  runsDir: string;
  azuriteDir: string;
  apiKeyFile: string;
  /** Compiled pipelines kept for the next run of the same file (`compile-cache.ts`); safe to delete. */
  compileCacheDir: string;
}

/** `--workspace` flag, then `TRIBUTARY_WORKSPACE`, then `./.tributary`. */
export function resolveWorkspace(explicit?: string, cwd: string = process.cwd()): Workspace {
  const root = path.resolve(cwd, explicit || process.env.TRIBUTARY_WORKSPACE || '.tributary');
  return {
    root,
    historyDb: path.join(root, 'history.db'),
    runsDir: path.join(root, 'runs'),
    azuriteDir: path.join(root, 'azurite'),
    apiKeyFile: path.join(root, 'api-key'),
    compileCacheDir: path.join(root, 'cache', 'compiled'),
  };
}

export function ensureWorkspace(ws: Workspace): Workspace {
  try {
    mkdirSync(ws.runsDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'part of that path is a file' : describeError(err);
    throw new ValidationError(`cannot create the workspace folder ${ws.root}: ${reason}; point --workspace or TRIBUTARY_WORKSPACE at a folder you can write to`, 'workspace');
  }
  return ws;
}

/** Removes the workspace's folders if nothing was put in them (undoes `ensureWorkspace` on a new workspace). */
export function removeIfEmpty(ws: Workspace): void {
  for (const dir of [ws.runsDir, ws.root]) {
    try {
      rmdirSync(dir);
    } catch {
      return; // not empty (another CLI may be using it): left as it is
    }
  }
}

/** Folder of one step of one run: `runs/<runId>/<step>/`. Names are checked, never trusted. */
export function stepFolder(ws: Workspace, runId: string, step: string): string {
  assertSafeName(runId, 'run id');
  assertSafeName(step, 'step name');
  return path.join(ws.runsDir, runId, step);
}

export interface AttemptPaths {
  /** The folder the process starts in: a copy of the step's snapshot, or empty. */
  workDir: string;
  stdout: string;
  stderr: string;
  metrics: string;
  /** What the read-tracking hook of a Python step writes. */
  reads: string;
  /** Inputs fetched for the attempt (made when one is). */
  dataDir: string;
}

/**
 * Attempt N of a step keeps its entries beside the step's output folders, named
 * `attempt-N.work/`, `attempt-N.stdout.log`, `attempt-N.stderr.log`, `attempt-N.metrics.jsonl`,
 * `attempt-N.reads.tsv` and `attempt-N.data/`: a dot cannot be in an output name, and a step
 * costs no folders beyond its outputs and the one it works in.
 */
export function attemptPaths(ws: Workspace, runId: string, step: string, attempt: number): AttemptPaths {
  const base = path.join(stepFolder(ws, runId, step), `attempt-${attempt}`);
  return {
    workDir: `${base}.work`,
    stdout: `${base}.stdout.log`,
    stderr: `${base}.stderr.log`,
    metrics: `${base}.metrics.jsonl`,
    reads: `${base}.reads.tsv`,
    dataDir: `${base}.data`,
  };
}

/**
 * The log files to read for an attempt: where `attemptPaths` puts them, or in the attempt folder
 * (`attempt-N/stdout.log`) of a run recorded by an earlier version.
 */
export function attemptLogFiles(ws: Workspace, runId: string, step: string, attempt: number): Pick<AttemptPaths, 'stdout' | 'stderr'> {
  const paths = attemptPaths(ws, runId, step, attempt);
  const earlier = path.join(stepFolder(ws, runId, step), `attempt-${attempt}`);
  if (existsSync(paths.stdout) || !existsSync(path.join(earlier, 'stdout.log'))) return { stdout: paths.stdout, stderr: paths.stderr };
  return { stdout: path.join(earlier, 'stdout.log'), stderr: path.join(earlier, 'stderr.log') };
}

/**
 * Removes what an earlier start of this attempt left behind (a resumed run starts it again): its
 * own entries and the given output folders. False when the step's folder does not exist: there
 * is nothing of the step to clear, at the cost of one check.
 */
export async function clearAttempt(paths: AttemptPaths, outputs: readonly string[] = []): Promise<boolean> {
  if (!existsSync(path.dirname(paths.workDir))) return false;
  await Promise.all([...Object.values(paths), ...outputs].map((entry) => rm(entry, { recursive: true, force: true })));
  return true;
}

/** Where a step writes an output locally: `runs/<runId>/<step>/<name>`. */
export function outputFolder(ws: Workspace, runId: string, step: string, output: string): string {
  assertSafeName(output, 'output name');
  return path.join(stepFolder(ws, runId, step), output);
}
