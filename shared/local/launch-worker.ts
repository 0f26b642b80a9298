import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import type { Workspace } from '../workspace/workspace';

/**
 * Starts a detached worker process that drives the run; it outlives the CLI (Ctrl-C detaches).
 * Its own output goes to `runs/<runId>/driver.log`.
 */
export function launchWorker(workspace: Workspace, runId: string): number {
  const runDir = path.join(workspace.runsDir, runId);
  mkdirSync(runDir, { recursive: true });
  const child = spawnWorker([workspace.root, runId], path.join(runDir, 'driver.log'), 'ignore');
  child.unref();
  return child.pid ?? 0;
}

/** Starts `worker-main.js`, bundled with all it loads into one file, which loads faster (see there). */
const WORKER_START = path.join(__dirname, 'worker-start.js');

/** Spawns `worker-main.js ARGS…` detached, its stdout and stderr appended to `logFile`. */
export function spawnWorker(args: string[], logFile: string, stdin: 'ignore' | 'pipe'): ChildProcess {
  const log = openSync(logFile, 'a');
  try {
    return spawn(process.execPath, ['--disable-warning=ExperimentalWarning', WORKER_START, ...args], {
      detached: true,
      stdio: [stdin, log, log],
      env: process.env,
    });
  } finally {
    closeSync(log);
  }
}
