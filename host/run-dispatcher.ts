/**
 * The local host's RunLauncher: a queued start. `start` only puts the run id on an in-memory
 * queue (so an invocation costs one insert into the run store, not a process spawn); a few
 * long-lived worker processes (./dispatch-worker-main.ts) take runs from it, each driving up to
 * `runsPerWorker` at once with the same driver as `tributary run`.
 *
 * Nothing is lost when processes die: a queued run is NotStarted in the store, and a run whose
 * worker died is left with a stale lease. `recover()` (called at host start) re-queues both kinds
 * for runs started through endpoints; a worker that exits while driving runs has them re-queued at
 * once. The workers are detached: when the host stops, they finish the runs they hold, then exit.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { updateRunRecord } from '../shared/activities/run-records';
import type { ServerLog } from '../shared/api/services';
import { TransientError } from '../shared/errors';
import { isLeaseStale } from '../shared/local/run-worker';
import type { RunLauncher } from '../shared/runs/run-launcher';
import { isTerminal, type RunRecord, type RunStatus } from '../shared/store/records';
import type { RunStore } from '../shared/store/run-store';
import type { Workspace } from '../shared/workspace/workspace';
import { isFromWorker, type ToWorker } from './dispatch-messages';

export interface RunDispatcherOptions {
  /** Worker processes (default 1). */
  workers?: number;
  /**
   * Runs one worker drives at once (default: the number of CPUs, at least 2). Each run's steps
   * share the worker's local compute cap, and every run in flight writes to the run store; on a
   * small machine a low number leaves CPU and store to the invocations being accepted.
   */
  runsPerWorker?: number;
}

const MAX_WORKER_CRASHES = 3;

interface Slot {
  child: ChildProcess;
  driving: Set<string>;
  exited: Promise<void>;
}

export class RunDispatcher implements RunLauncher {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly slots = new Set<Slot>();
  /** Worker deaths per run: a run that keeps killing its worker is failed rather than retried forever. */
  private readonly crashes = new Map<string, number>();
  private readonly workers: number;
  private readonly runsPerWorker: number;
  private closed = false;

  constructor(
    private readonly workspace: Workspace,
    private readonly store: RunStore,
    private readonly log: ServerLog,
    options: RunDispatcherOptions = {},
  ) {
    this.workers = options.workers ?? 1;
    this.runsPerWorker = options.runsPerWorker ?? Math.max(2, os.availableParallelism());
  }

  async start(runId: string): Promise<void> {
    if (this.closed) throw new TransientError('the local host is shutting down; the run was not started');
    this.enqueue(runId);
  }

  async cancel(runId: string, reason: string): Promise<void> {
    if (this.queued.delete(runId)) {
      this.queue.splice(this.queue.indexOf(runId), 1);
      await updateRunRecord(this.store, runId, (run) =>
        isTerminal(run.status) ? undefined : { status: 'Canceled', statusReason: reason, endedAt: new Date().toISOString() },
      );
      return;
    }
    await updateRunRecord(this.store, runId, (run) =>
      isTerminal(run.status) || run.status === 'CancelRequested' ? undefined : { status: 'CancelRequested', statusReason: reason },
    );
  }

  /** Runs waiting for a worker. */
  get queueLength(): number {
    return this.queue.length;
  }

  /** Re-queues endpoint runs left behind by a previous host: never started, or driven by a worker that is gone. */
  async recover(): Promise<number> {
    const found: RunRecord[] = [];
    const statuses: RunStatus[] = ['NotStarted', 'Queued', 'Running', 'CancelRequested'];
    for (const status of statuses) {
      let continuationToken: string | undefined;
      do {
        const page = await this.store.listRuns({ status, limit: 500, ...(continuationToken ? { continuationToken } : {}) });
        found.push(...page.items.filter((r) => r.options.source === 'endpoint' && (status === 'NotStarted' || isLeaseStale(r.driver))));
        continuationToken = page.continuationToken;
      } while (continuationToken);
    }
    found.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0));
    for (const run of found) this.enqueue(run.id);
    return found.length;
  }

  /** Stops dispatching; workers finish what they drive. Resolves when they exited (or after `graceMs`, killing them). */
  async close(graceMs = 30_000): Promise<void> {
    this.closed = true;
    const slots = [...this.slots];
    for (const slot of slots) if (slot.child.connected) slot.child.disconnect();
    const all = Promise.all(slots.map((s) => s.exited));
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), graceMs)));
    if ((await Promise.race([all, timeout])) === 'timeout') for (const slot of slots) slot.child.kill('SIGTERM');
    clearTimeout(timer);
    await all;
  }

  private enqueue(runId: string): void {
    if (this.queued.has(runId) || [...this.slots].some((s) => s.driving.has(runId))) return;
    this.queue.push(runId);
    this.queued.add(runId);
    this.pump();
  }

  private pump(): void {
    while (!this.closed && this.queue.length > 0) {
      const slot = this.freeSlot();
      if (!slot) return;
      const runId = this.queue.shift()!;
      this.queued.delete(runId);
      slot.driving.add(runId);
      const message: ToWorker = { type: 'drive', runId };
      slot.child.send(message, (err) => {
        if (err) this.log.error('could not hand a run to a worker; it will be re-queued when the worker exits', { runId, error: err.message });
      });
    }
  }

  /** The least busy worker with room, starting another while there are fewer than `workers` and all are busy. */
  private freeSlot(): Slot | undefined {
    let best: Slot | undefined;
    for (const slot of this.slots) if (slot.child.connected && (!best || slot.driving.size < best.driving.size)) best = slot;
    if ((!best || best.driving.size > 0) && this.slots.size < this.workers) return this.spawn();
    return best && best.driving.size < this.runsPerWorker ? best : undefined;
  }

  private async requeueAfterCrash(runId: string): Promise<void> {
    const crashes = (this.crashes.get(runId) ?? 0) + 1;
    this.crashes.set(runId, crashes);
    if (crashes < MAX_WORKER_CRASHES) return this.enqueue(runId);
    this.crashes.delete(runId);
    await updateRunRecord(this.store, runId, (run) =>
      isTerminal(run.status) ? undefined : { status: 'Failed', statusReason: `its worker process died ${crashes} times while driving it`, endedAt: new Date().toISOString() },
    ).catch((err: unknown) => this.log.error('could not fail a run whose workers kept dying', { runId, error: String(err) }));
  }

  private spawn(): Slot {
    const logFd = openSync(path.join(this.workspace.root, 'workers.log'), 'a', 0o600);
    let child: ChildProcess;
    try {
      child = fork(path.join(__dirname, 'dispatch-worker-main.js'), [this.workspace.root], {
        execArgv: ['--disable-warning=ExperimentalWarning'],
        stdio: ['ignore', logFd, logFd, 'ipc'],
        detached: true,
      });
    } finally {
      closeSync(logFd);
    }
    const slot: Slot = { child, driving: new Set(), exited: new Promise((resolve) => child.once('exit', () => resolve())) };
    this.slots.add(slot);
    child.unref();
    child.on('message', (message: unknown) => {
      if (!isFromWorker(message)) return;
      slot.driving.delete(message.runId);
      this.pump();
    });
    child.on('error', (err) => this.log.error('run worker error', { pid: child.pid, error: err.message }));
    child.once('exit', (code, signal) => {
      this.slots.delete(slot);
      if (slot.driving.size === 0 || this.closed) return;
      this.log.error('run worker exited while driving runs; re-queuing them', { pid: child.pid, code, signal, runs: [...slot.driving] });
      for (const runId of slot.driving) void this.requeueAfterCrash(runId);
    });
    return slot;
  }
}
