import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TributaryError, ValidationError, describeError } from '../../errors';
import { isJobFinished, type ComputeTarget, type JobState, type JobStatus, type StepJob } from '../compute-target';
import { formatHandle, parseHandle } from './handle';
import { JOB_ID_VARIABLE, killOrphanProcesses } from './orphans';

export { formatHandle, parseHandle } from './handle';

/**
 * For the resume path, without a `LocalCompute` at hand: stops what is left of a job whose driver
 * died (SIGTERM to its process groups, SIGKILL after `graceMs`), only if `/proc` shows the processes
 * carry that job's `TRIBUTARY_JOB_ID`. Resolves when they are gone; false if none was found.
 */
export function killOrphan(handle: string, graceMs = 10_000): Promise<boolean> {
  return killOrphanProcesses(handle, graceMs);
}

export interface LocalComputeOptions {
  name: string;
  /** Jobs of this target running at once; the rest wait in FIFO order. Default: `os.availableParallelism()`. */
  maxConcurrency?: number;
  /** Time between SIGTERM and SIGKILL when cancelling or timing out. Default 10,000 ms. */
  killGraceMs?: number;
}

export const LOST_PROCESS_MESSAGE = 'the process running this step was lost (driver restarted); it will be run again';

interface Entry {
  job: StepJob;
  handle: string;
  state: JobState;
  /** pid of `bash`, which is also the process-group id. */
  pid?: number;
  exitCode?: number;
  message?: string;
  startedAt?: string;
  endedAt?: string;
  /** Why we are stopping it; decides the final state. */
  stopping?: 'cancel' | 'timeout';
  timers: NodeJS.Timeout[];
  waiters: (() => void)[];
}

/** setTimeout caps delays at 2^31-1 ms (~24.8 days); longer timeouts are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Runs steps as processes on this machine: `bash -c <command>` in its own process group, stdout and
 * stderr appended straight to the job's files (no piping through Node), at most `maxConcurrency`
 * at once. Handles are `local:<pid>:<jobId>` (see `./handle`). A handle this instance does not
 * know belongs to a driver that died: `poll` kills what is left of it and reports it lost.
 * Stopping (cancel, timeout) is SIGTERM to the step's process group, SIGKILL after `killGraceMs`;
 * when bash has exited, whatever is left in its group is SIGKILLed at once, so by the time Canceled
 * or TimedOut is reported no process of the step runs user code any more. Processes left in a
 * step's group after a normal exit are not touched.
 */
export class LocalCompute implements ComputeTarget {
  readonly name: string;
  readonly maxConcurrency: number;
  readonly killGraceMs: number;
  private readonly jobs = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  private running = 0;
  private draining = false;
  private closed = false;

  constructor(options: LocalComputeOptions) {
    this.name = options.name;
    this.maxConcurrency = options.maxConcurrency ?? os.availableParallelism();
    this.killGraceMs = options.killGraceMs ?? 10_000;
    if (!Number.isSafeInteger(this.maxConcurrency) || this.maxConcurrency < 1) {
      throw new ValidationError(`maxConcurrency must be a whole number of at least 1, got ${options.maxConcurrency}`, `compute.${this.name}.maxConcurrency`);
    }
    if (!Number.isFinite(this.killGraceMs) || this.killGraceMs < 0) {
      throw new ValidationError(`killGraceMs must be a number of milliseconds ≥ 0, got ${options.killGraceMs}`, `compute.${this.name}.killGraceMs`);
    }
  }

  get runningCount(): number {
    return this.running;
  }

  get queuedCount(): number {
    return this.queue.length;
  }

  async submit(job: StepJob): Promise<string> {
    const known = this.jobs.get(job.id);
    if (known) return known.handle;
    if (!job.id) throw new ValidationError('job id must not be empty', 'job.id');
    const t = job.timeoutSeconds;
    if (t !== undefined && !(Number.isFinite(t) && t > 0)) {
      throw new ValidationError(`timeoutSeconds must be a positive number, got ${t}`, `${job.step}.timeoutSeconds`);
    }
    if (this.closed) throw new TributaryError('Internal', 500, `local compute "${this.name}" is shut down; job ${job.id} was not started`);
    const entry: Entry = { job, handle: '', state: 'Queued', timers: [], waiters: [] };
    this.jobs.set(job.id, entry);
    this.queue.push(entry);
    this.drain();
    entry.handle = formatHandle(job.id, entry.pid);
    return entry.handle;
  }

  async poll(handle: string, waitMs: number): Promise<JobStatus> {
    const entry = this.jobs.get(parseHandle(handle).jobId);
    if (!entry) {
      await this.killOrphan(handle);
      return { state: 'Failed', message: LOST_PROCESS_MESSAGE };
    }
    if (waitMs > 0 && !isJobFinished(entry.state)) await this.changed(entry, waitMs);
    return statusOf(entry);
  }

  async cancel(handle: string): Promise<void> {
    const entry = this.jobs.get(parseHandle(handle).jobId);
    if (!entry) {
      await this.killOrphan(handle);
      return;
    }
    if (entry.state === 'Queued') {
      this.queue.splice(this.queue.indexOf(entry), 1);
      this.finish(entry, 'Canceled', { message: 'canceled before it started' });
      return;
    }
    this.stop(entry, 'cancel');
    await this.changed(entry);
  }

  /**
   * Kills the processes of a job this instance did not start (its driver died), after checking
   * they really are that job's. Resolves once they are gone; false if none was found. Jobs this
   * instance runs are not orphans and are left alone.
   */
  async killOrphan(handle: string): Promise<boolean> {
    if (this.jobs.has(parseHandle(handle).jobId)) return false;
    return killOrphanProcesses(handle, this.killGraceMs);
  }

  /** Cancels every queued and running job (shutdown); resolves when all have exited. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.queue.splice(0)) this.finish(entry, 'Canceled', { message: 'canceled before it started (shutdown)' });
    const live = [...this.jobs.values()].filter((e) => e.state === 'Running');
    for (const entry of live) this.stop(entry, 'cancel');
    await Promise.all(live.map((e) => this.changed(e)));
  }

  private drain(): void {
    if (this.draining) return; // a start that failed synchronously re-enters through finish()
    this.draining = true;
    try {
      while (this.running < this.maxConcurrency && this.queue.length > 0) this.start(this.queue.shift()!);
    } finally {
      this.draining = false;
    }
  }

  private start(entry: Entry): void {
    const { job } = entry;
    this.running++;
    entry.state = 'Running';
    entry.startedAt = new Date().toISOString();
    for (const wake of entry.waiters.splice(0)) wake(); // a long poll returns on Queued → Running too
    let out: number | undefined;
    let err: number | undefined;
    try {
      out = openForAppend(job.stdoutPath);
      err = job.stderrPath === job.stdoutPath ? out : openForAppend(job.stderrPath);
      const child = spawn('bash', ['-c', job.command], {
        cwd: job.workingDir,
        env: { ...process.env, ...job.env, [JOB_ID_VARIABLE]: job.id },
        detached: true, // own process group: signals reach the whole tree
        stdio: ['ignore', out, err],
      });
      entry.pid = child.pid;
      child.on('exit', (code, signal) => this.exited(entry, code, signal));
      child.on('error', (error) => this.finish(entry, 'Failed', { message: startFailure(job, error) }));
      if (job.timeoutSeconds !== undefined) this.armTimeout(entry, job.timeoutSeconds * 1000);
    } catch (error) {
      this.finish(entry, 'Failed', { message: startFailure(job, error) });
    } finally {
      if (out !== undefined) fs.closeSync(out); // the child holds its own copies
      if (err !== undefined && err !== out) fs.closeSync(err);
    }
  }

  private armTimeout(entry: Entry, ms: number): void {
    const timer = setTimeout(() => {
      if (ms > MAX_TIMER_MS) this.armTimeout(entry, ms - MAX_TIMER_MS);
      else this.stop(entry, 'timeout');
    }, Math.min(ms, MAX_TIMER_MS));
    entry.timers.push(timer.unref());
  }

  /** SIGTERM to the group now, SIGKILL after the grace period unless the job exited. */
  private stop(entry: Entry, reason: 'cancel' | 'timeout'): void {
    if (entry.state !== 'Running' || entry.stopping || entry.pid === undefined) return;
    entry.stopping = reason;
    const pid = entry.pid;
    signalGroup(pid, 'SIGTERM');
    entry.timers.push(setTimeout(() => signalGroup(pid, 'SIGKILL'), this.killGraceMs).unref());
  }

  private exited(entry: Entry, code: number | null, signal: NodeJS.Signals | null): void {
    // bash is gone; anything of the step still in its group was asked to stop already: no more grace.
    if (entry.stopping) signalGroup(entry.pid!, 'SIGKILL');
    if (entry.stopping === 'cancel') this.finish(entry, 'Canceled', { message: 'canceled' });
    else if (entry.stopping === 'timeout') this.finish(entry, 'TimedOut', { message: `timed out after ${entry.job.timeoutSeconds}s` });
    else if (code === 0) this.finish(entry, 'Succeeded', { exitCode: 0 });
    else if (code !== null) this.finish(entry, 'Failed', { exitCode: code, message: `exit code ${code}` });
    else this.finish(entry, 'Failed', { message: `killed by signal ${signal}` });
  }

  private finish(entry: Entry, state: JobState, detail: { exitCode?: number; message?: string }): void {
    if (isJobFinished(entry.state)) return;
    const wasRunning = entry.state === 'Running';
    entry.state = state;
    entry.exitCode = detail.exitCode;
    entry.message = detail.message;
    entry.endedAt = new Date().toISOString();
    for (const timer of entry.timers) clearTimeout(timer);
    entry.timers = [];
    for (const wake of entry.waiters.splice(0)) wake();
    if (wasRunning) {
      this.running--;
      this.drain();
    }
  }

  /** Resolves when the job has finished, or after `ms` if given (a queued job also wakes when it starts). */
  private changed(entry: Entry, ms?: number): Promise<void> {
    if (isJobFinished(entry.state)) return Promise.resolve();
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer = ms === undefined ? undefined : setTimeout(() => {
        const i = entry.waiters.indexOf(wake);
        if (i >= 0) entry.waiters.splice(i, 1);
        resolve();
      }, ms);
      entry.waiters.push(wake);
    });
  }
}

function statusOf(entry: Entry): JobStatus {
  const status: JobStatus = { state: entry.state };
  if (entry.exitCode !== undefined) status.exitCode = entry.exitCode;
  if (entry.message !== undefined) status.message = entry.message;
  if (entry.startedAt !== undefined) status.startedAt = entry.startedAt;
  if (entry.endedAt !== undefined) status.endedAt = entry.endedAt;
  return status;
}

/** Opens for appending, creating the parent folder only when it is missing (no extra syscalls otherwise). */
function openForAppend(file: string): number {
  try {
    return fs.openSync(file, 'a');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return fs.openSync(file, 'a');
  }
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the whole group has exited
  }
}

function startFailure(job: StepJob, error: unknown): string {
  // libuv reports a missing working folder as "spawn bash ENOENT"; say what is really missing.
  if ((error as NodeJS.ErrnoException).code === 'ENOENT' && !fs.existsSync(job.workingDir)) {
    return `could not start: working folder ${job.workingDir} does not exist`;
  }
  return `could not start: ${describeError(error)}`;
}
