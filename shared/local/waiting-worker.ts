import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import type { Workspace } from '../workspace/workspace';
import { spawnWorker } from './launch-worker';

/** worker-main's second argument when the run id comes later, on its stdin. */
export const RUN_ID_ON_STDIN = '--run-id-on-stdin';

/**
 * A worker started before its run is recorded: it loads its modules and opens its services while
 * the CLI compiles and records the run, then waits on its stdin for the run's id. Its output goes
 * to a log of its own in `runs/` until it is given a run, then moves to the run's driver log.
 * Without a run (the pipeline was rejected, the CLI stopped) it removes that log and exits.
 */
export class WaitingWorker {
  /** Given a run or dismissed: nothing more to do with it. */
  private settled = false;

  private constructor(
    private readonly workspace: Workspace,
    private readonly child: ChildProcess,
    private readonly log: string,
  ) {}

  /** The workspace folder must exist (`ensureWorkspace`); the worker does not touch it before it is given a run. */
  static start(workspace: Workspace): WaitingWorker {
    const log = path.join(workspace.runsDir, `.waiting-worker-${randomBytes(6).toString('hex')}.log`);
    const child = spawnWorker([workspace.root, RUN_ID_ON_STDIN, log], log, 'pipe');
    // A worker that dies while waiting shows up as a failed write, handled in give().
    child.stdin!.on('error', () => undefined);
    // The CLI may exit without a run for it: its stdin then closes and it leaves.
    (child.stdin as Socket).unref();
    return new WaitingWorker(workspace, child, log);
  }

  /** Its process id while it is still waiting for a run. */
  get pid(): number | undefined {
    return this.settled || this.exited ? undefined : this.child.pid;
  }

  private get exited(): boolean {
    return this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null;
  }

  /**
   * Hands the worker its run; what it logged so far moves to the run's driver log. False when the
   * worker is gone (the caller then starts another).
   */
  async give(runId: string): Promise<boolean> {
    if (this.settled) return false;
    this.settled = true;
    const runDir = path.join(this.workspace.runsDir, runId);
    mkdirSync(runDir, { recursive: true });
    renameSync(this.log, path.join(runDir, 'driver.log'));
    if (this.exited) return false;
    const stdin = this.child.stdin!;
    const written = await new Promise<boolean>((resolve) => {
      stdin.once('error', () => resolve(false));
      stdin.end(`${runId}\n`, (err?: Error | null) => resolve(!err));
    });
    this.child.unref();
    return written;
  }

  /** No run for this worker: its log is removed and it exits. False when it had been given a run. */
  dismiss(): boolean {
    if (this.settled) return false;
    this.settled = true;
    rmSync(this.log, { force: true });
    this.child.stdin!.end();
    this.child.unref();
    return true;
  }
}
