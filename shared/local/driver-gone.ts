/**
 * Noticing, while waiting for a local run, that nothing drives it any more: its worker was
 * killed or failed before finishing the run (a `kill -9`, a crash at start-up). Without this a
 * waiting CLI or SDK call would wait for ever; with it, it stops and says how to continue.
 */
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConflictError } from '../errors';
import { isTerminal, type RunStatus } from '../store/records';
import type { RunStore } from '../store/run-store';
import type { Workspace } from '../workspace/workspace';
import { isLeaseStale } from './run-worker';

/** How often a waiter looks at the run's driver: a stale lease needs a dead pid or 30 s of silence, so there is no hurry. */
const DRIVER_CHECK_MS = 1_000;
/** What of the worker's log the message quotes, at most. */
const LOG_TAIL_BYTES = 2_000;
const LOG_TAIL_LINES = 5;

/**
 * For a waiter that polls a run: `check()` now and then looks whether the run's driver is gone,
 * and throws a ConflictError naming `tributary resume` once the same driver was found gone at two
 * looks in a row. One look is not enough: the local host re-queues the runs of a worker that
 * died at once, and a new worker takes the lease a moment later.
 */
export class DriverWatch {
  private nextCheck: number;
  /** The driver found gone at the last look. */
  private suspect?: { pid: number | undefined };

  constructor(
    private readonly store: RunStore,
    private readonly workspace: Workspace,
    private readonly runId: string,
    private readonly everyMs = DRIVER_CHECK_MS,
  ) {
    this.nextCheck = Date.now() + everyMs;
  }

  async check(): Promise<void> {
    if (Date.now() < this.nextCheck) return;
    this.nextCheck = Date.now() + this.everyMs;
    const gone = await goneDriver(this.store, this.runId);
    if (gone === undefined) {
      this.suspect = undefined;
      return;
    }
    if (this.suspect === undefined || this.suspect.pid !== gone.pid) {
      this.suspect = { pid: gone.pid };
      return;
    }
    const log = path.join(this.workspace.runsDir, this.runId, 'driver.log');
    const tail = logTail(log);
    throw new ConflictError(
      `run ${this.runId} is ${gone.status} but the process driving it (pid ${gone.pid}) is gone` +
        `${tail ? `; its log (${log}) ends with:\n${tail}\n` : ` (log: ${log}); `}` +
        `continue it with: tributary resume ${this.runId}`,
      'runId',
    );
  }
}

/**
 * The run's status and its driver's pid when it is unfinished and its driver gone; undefined while
 * it is driven (or has ended). Only a run some local worker was given (it has a local lease) can be
 * found driverless here.
 */
async function goneDriver(store: RunStore, runId: string): Promise<{ status: RunStatus; pid: number | undefined } | undefined> {
  const run = await store.getRun(runId);
  if (!run || isTerminal(run.status) || run.driver?.kind !== 'local' || !isLeaseStale(run.driver)) return undefined;
  // The worker may have finished the run just before it exited.
  const status = await store.getRunStatus(runId);
  if (!status || isTerminal(status)) return undefined;
  return { status, pid: run.driver.pid };
}

/** The last few lines of a file, indented, a line repeated right after itself once; empty when it is missing or empty. */
function logTail(file: string): string {
  let fd: number | undefined;
  try {
    const size = statSync(file).size;
    const length = Math.min(size, LOG_TAIL_BYTES);
    const buffer = Buffer.alloc(length);
    fd = openSync(file, 'r');
    readSync(fd, buffer, 0, length, size - length);
    // A worker started again after the first failed to start says the same: once is enough.
    const lines = buffer.toString('utf8').split('\n').filter((line, i, all) => line.trim() !== '' && line !== all[i - 1]);
    return lines.slice(-LOG_TAIL_LINES).map((line) => `  ${line}`).join('\n');
  } catch {
    return '';
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
