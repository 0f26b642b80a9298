import * as os from 'node:os';
import { TributaryError, ValidationError, describeError } from '../../errors';
import { isJobFinished, type ComputeTarget, type JobState, type JobStatus, type StepJob } from '../compute-target';
import { formatHandle, parseHandle } from './handle';
import { LauncherDiedError, ProcessLauncher, SpawnDroppedError, type LauncherKind, type ProcessEnd } from './launcher';
import { isProcessOfJob, JOB_ID_VARIABLE, killOrphanProcesses } from './orphans';

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
  /** Who starts the processes (see `LauncherKind`). Default: `TRIBUTARY_LAUNCHER`, else `python3`. */
  launcher?: LauncherKind;
  /** A launcher shared with other targets, which its owner closes; by default the target has its own. */
  sharedLauncher?: ProcessLauncher;
  /** Variables of this process that steps do not inherit (Tributary's own credentials); read at each start. */
  withheldVariables?: ReadonlySet<string>;
}

export const LOST_PROCESS_MESSAGE = 'the process running this step was lost (driver restarted); it will be run again';
export const UNOBSERVED_EXIT_MESSAGE = 'the process launcher died while this step ran, so its exit code is unknown';

/** How often a step whose launcher died is checked for in `/proc`. */
const LOST_CHECK_MS = 100;

interface Entry {
  job: StepJob;
  /** Carries the pid when the job started at submission (once that start has settled). */
  handle: Promise<string>;
  state: JobState;
  /** pid of `bash`, which is also the process-group id; unknown for a moment after the job starts. */
  pid?: number;
  exitCode?: number;
  message?: string;
  startedAt?: string;
  endedAt?: string;
  /** Why we are stopping it; decides the final state. */
  stopping?: 'cancel' | 'timeout';
  /** Settles when the start has succeeded or failed. */
  starting?: Promise<void>;
  /** Set once its start is asked of the launcher, which may hold it until a place is free; aborting drops it there. */
  sent?: AbortController;
  /** Asked again of a new launcher after the one it was sent to died (once). */
  resent?: boolean;
  timers: NodeJS.Timeout[];
  waiters: (() => void)[];
}

/** Numbers the targets, so each has a group of its own at a shared launcher. */
let targetCount = 0;

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
 *
 * A `ProcessLauncher` starts the processes (see `./launcher`). If it dies while steps run, their
 * exits can no longer be observed: each is watched in `/proc` (by pid and `TRIBUTARY_JOB_ID`) and,
 * once gone, reported Failed with `UNOBSERVED_EXIT_MESSAGE` (or Canceled/TimedOut if it was being
 * stopped). A start the launcher died in the middle of fails, after any process of it is killed.
 */
export class LocalCompute implements ComputeTarget {
  readonly name: string;
  readonly maxConcurrency: number;
  readonly killGraceMs: number;
  private readonly withheldVariables: ReadonlySet<string>;
  private readonly jobs = new Map<string, Entry>();
  private readonly queue: Entry[] = [];
  private running = 0;
  /** Jobs whose start was asked of the launcher and which have not finished (waiting there, or running). */
  private sentCount = 0;
  /** This target's group at the launcher, which enforces `maxConcurrency` (a launcher may serve several targets). */
  private readonly gate: { group: string; limit: number };
  private closed = false;
  private readonly launcher: ProcessLauncher;
  private readonly ownsLauncher: boolean;

  constructor(options: LocalComputeOptions) {
    this.name = options.name;
    this.launcher = options.sharedLauncher ?? new ProcessLauncher(options.launcher);
    this.ownsLauncher = options.sharedLauncher === undefined;
    this.maxConcurrency = options.maxConcurrency ?? os.availableParallelism();
    this.killGraceMs = options.killGraceMs ?? 10_000;
    this.withheldVariables = options.withheldVariables ?? new Set();
    this.gate = { group: `${this.name}#${++targetCount}`, limit: this.maxConcurrency };
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
    return this.queue.length + this.sentCount - this.running;
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
    const entry: Entry = { job, handle: Promise.resolve(formatHandle(job.id, undefined)), state: 'Queued', timers: [], waiters: [] };
    this.jobs.set(job.id, entry);
    this.queue.push(entry);
    this.drain();
    // A job with a free place starts at once: its handle carries the pid. One that waits does not wait here.
    if (entry.starting && this.sentCount <= this.maxConcurrency) entry.handle = entry.starting.then(() => formatHandle(job.id, entry.pid));
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
    if (entry.state === 'Queued' && !entry.sent) {
      this.queue.splice(this.queue.indexOf(entry), 1);
      this.finish(entry, 'Canceled', { message: 'canceled before it started' });
      return;
    }
    this.stop(entry, 'cancel');
    await this.finished(entry);
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

  /** Cancels every queued and running job (shutdown); resolves when all have exited and its own launcher is gone. */
  async close(): Promise<void> {
    this.closed = true;
    for (const entry of this.queue.splice(0)) this.finish(entry, 'Canceled', { message: 'canceled before it started (shutdown)' });
    const live = [...this.jobs.values()].filter((e) => e.sent && !isJobFinished(e.state));
    for (const entry of live) this.stop(entry, 'cancel');
    await Promise.all(live.map((e) => this.finished(e)));
    if (this.ownsLauncher) await this.launcher.close();
  }

  /**
   * Asks the launcher to start queued jobs: up to twice the cap at once, so that the launcher,
   * which keeps to the cap itself, has the next one at hand the moment a process ends.
   */
  private drain(): void {
    while (this.sentCount < 2 * this.maxConcurrency && this.queue.length > 0) this.send(this.queue.shift()!);
  }

  private send(entry: Entry): void {
    const { job } = entry;
    this.sentCount++;
    entry.sent = new AbortController();
    const request = {
      argv: ['bash', '-c', job.command],
      cwd: job.workingDir,
      env: { ...this.inheritedEnv(), ...job.env, [JOB_ID_VARIABLE]: job.id },
      stdoutPath: job.stdoutPath,
      stderrPath: job.stderrPath,
    };
    entry.starting = this.launcher.spawn(request, (end) => this.ended(entry, end), { gate: this.gate, signal: entry.sent.signal }).then(
      (pid) => this.spawned(entry, pid),
      (error: unknown) => this.notStarted(entry, error),
    );
  }

  /** This process's environment without the withheld variables (a step may still set them itself). */
  private inheritedEnv(): NodeJS.ProcessEnv {
    const env = { ...process.env };
    for (const name of this.withheldVariables) delete env[name];
    return env;
  }

  /** Its process started (known from the launcher's reply, or from its end when that is read first). */
  private began(entry: Entry, pid: number): void {
    entry.pid = pid;
    if (entry.state !== 'Queued') return;
    this.running++;
    entry.state = 'Running';
    entry.startedAt = new Date().toISOString();
    for (const wake of entry.waiters.splice(0)) wake(); // a long poll returns on Queued → Running too
  }

  private spawned(entry: Entry, pid: number): void {
    this.began(entry, pid);
    if (isJobFinished(entry.state)) return;
    const { timeoutSeconds } = entry.job;
    if (entry.stopping) this.terminate(entry); // stopped while it was starting
    else if (timeoutSeconds !== undefined) this.armTimeout(entry, timeoutSeconds * 1000); // from the process's start
  }

  private async notStarted(entry: Entry, error: unknown): Promise<void> {
    const launcherDied = error instanceof LauncherDiedError;
    // The launcher died before answering: if the process did start, it must not run on unseen.
    if (launcherDied) await killOrphanProcesses(formatHandle(entry.job.id, undefined), this.killGraceMs);
    if (error instanceof SpawnDroppedError || entry.stopping === 'cancel') {
      this.finish(entry, 'Canceled', { message: 'canceled before it started' });
    } else if (launcherDied && !entry.resent && !this.closed && entry.state === 'Queued') {
      // Most such jobs were only waiting there for a place: a new launcher starts them.
      entry.resent = true;
      entry.sent = undefined;
      this.sentCount--;
      this.queue.unshift(entry);
      this.drain();
    } else {
      this.finish(entry, 'Failed', { message: `could not start: ${describeError(error)}` });
    }
  }

  private armTimeout(entry: Entry, ms: number): void {
    const timer = setTimeout(() => {
      if (ms > MAX_TIMER_MS) this.armTimeout(entry, ms - MAX_TIMER_MS);
      else this.stop(entry, 'timeout');
    }, Math.min(ms, MAX_TIMER_MS));
    entry.timers.push(timer.unref());
  }

  /**
   * Marks the job as stopping; its process is signalled now, or as soon as its pid is known. One
   * still waiting at the launcher for a place is dropped there.
   */
  private stop(entry: Entry, reason: 'cancel' | 'timeout'): void {
    if (!entry.sent || isJobFinished(entry.state) || entry.stopping) return;
    entry.stopping = reason;
    if (entry.pid !== undefined) this.terminate(entry);
    else if (entry.state === 'Queued') entry.sent.abort();
  }

  /** SIGTERM to the group now, SIGKILL after the grace period unless the job exited. */
  private terminate(entry: Entry): void {
    const pid = entry.pid!;
    signalGroup(pid, 'SIGTERM');
    entry.timers.push(setTimeout(() => signalGroup(pid, 'SIGKILL'), this.killGraceMs).unref());
  }

  /** `unobserved`: the process is gone, but its launcher died first, so how it ended is unknown. */
  private ended(entry: Entry, end: ProcessEnd | { pid: number; how: 'unobserved' }): void {
    if (end.how === 'lost') return this.watchUntilGone(entry, end.pid);
    this.began(entry, end.pid); // the end may be read before the reply that it started
    // bash is gone; anything of the step still in its group was asked to stop already: no more grace.
    if (entry.stopping) signalGroup(end.pid, 'SIGKILL');
    if (entry.stopping === 'cancel') this.finish(entry, 'Canceled', { message: 'canceled' });
    else if (entry.stopping === 'timeout') this.finish(entry, 'TimedOut', { message: `timed out after ${entry.job.timeoutSeconds}s` });
    else if (end.how === 'exited' && end.code === 0) this.finish(entry, 'Succeeded', { exitCode: 0 });
    else if (end.how === 'exited') this.finish(entry, 'Failed', { exitCode: end.code, message: `exit code ${end.code}` });
    else if (end.how === 'signaled') this.finish(entry, 'Failed', { message: `killed by signal ${end.signal}` });
    else this.finish(entry, 'Failed', { message: UNOBSERVED_EXIT_MESSAGE });
  }

  /** The launcher died: the process is not its child any more; check `/proc` (zombies count as gone). */
  private watchUntilGone(entry: Entry, pid: number): void {
    const timer = setInterval(() => {
      if (!isProcessOfJob(pid, entry.job.id)) this.ended(entry, { pid, how: 'unobserved' });
    }, LOST_CHECK_MS);
    entry.timers.push(timer);
  }

  private finish(entry: Entry, state: JobState, detail: { exitCode?: number; message?: string }): void {
    if (isJobFinished(entry.state)) return;
    const wasRunning = entry.state === 'Running';
    const wasSent = entry.sent !== undefined;
    entry.state = state;
    entry.exitCode = detail.exitCode;
    entry.message = detail.message;
    entry.endedAt = new Date().toISOString();
    for (const timer of entry.timers) clearTimeout(timer);
    entry.timers = [];
    for (const wake of entry.waiters.splice(0)) wake();
    if (wasRunning) this.running--;
    if (wasSent) {
      this.sentCount--;
      this.drain();
    }
  }

  /** Resolves when the job has finished, or after `ms` if given (a queued job also wakes when it starts). */
  /** Resolves once the job has finished (a job stopped while waiting for a place may start first). */
  private async finished(entry: Entry): Promise<void> {
    while (!isJobFinished(entry.state)) await this.changed(entry);
  }

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

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the whole group has exited
  }
}
