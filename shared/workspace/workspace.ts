/**
 * The local workspace folder (default `.tributary/` in the current directory): run history,
 * step folders, the embedded Azurite data and the local API key all live under it.
 */
import { mkdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';
import { assertSafeName } from '../util/safe-names';

export interface Workspace {
  root: string;
  historyDb: string;
  runsDir: string;
  azuriteDir: string;
  apiKeyFile: string;
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
  };
}

export function ensureWorkspace(ws: Workspace): Workspace {
  mkdirSync(ws.runsDir, { recursive: true, mode: 0o700 });
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
  dir: string;
  stdout: string;
  stderr: string;
  metrics: string;
  workDir: string;
}

/** Per-attempt files: logs and metrics of attempt N, and the folder the process starts in. */
export function attemptPaths(ws: Workspace, runId: string, step: string, attempt: number): AttemptPaths {
  const dir = path.join(stepFolder(ws, runId, step), `attempt-${attempt}`);
  return {
    dir,
    stdout: path.join(dir, 'stdout.log'),
    stderr: path.join(dir, 'stderr.log'),
    metrics: path.join(dir, 'metrics.jsonl'),
    workDir: path.join(dir, 'work'),
  };
}

/** Where a step writes an output locally: `runs/<runId>/<step>/outputs/<name>`. */
export function outputFolder(ws: Workspace, runId: string, step: string, output: string): string {
  assertSafeName(output, 'output name');
  return path.join(stepFolder(ws, runId, step), 'outputs', output);
}
