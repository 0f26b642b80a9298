import { spawn } from 'node:child_process';
import { mkdirSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import type { Workspace } from '../workspace/workspace';

/**
 * Starts a detached worker process that drives the run; it outlives the CLI (Ctrl-C detaches).
 * Its own output goes to `runs/<runId>/driver.log`.
 */
export function launchWorker(workspace: Workspace, runId: string): number {
  const runDir = path.join(workspace.runsDir, runId);
  mkdirSync(runDir, { recursive: true });
  const log = openSync(path.join(runDir, 'driver.log'), 'a');
  try {
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(__dirname, 'worker-main.js'), workspace.root, runId], {
      detached: true,
      stdio: ['ignore', log, log],
      env: process.env,
    });
    child.unref();
    return child.pid ?? 0;
  } finally {
    closeSync(log);
  }
}
