import type { EnvironmentSpec } from '../model/definition';

/** One attempt of one step, as handed to a compute target. */
export interface StepJob {
  /** Stable id of this attempt: `<runId>.<step>.<attempt>`; submitting the same id twice starts one job. */
  id: string;
  runId: string;
  step: string;
  attempt: number;
  /** Fully rendered command line (run by `bash -c` on local compute). */
  command: string;
  /** Folder the process starts in (the step's snapshot, or an empty working folder). */
  workingDir: string;
  /** Environment variables added to the process (the step runtime contract). */
  env: Record<string, string>;
  /** Files that receive the process's stdout and stderr, appended live. */
  stdoutPath: string;
  stderrPath: string;
  timeoutSeconds?: number;
  environment?: EnvironmentSpec;
}

export type JobState = 'Queued' | 'Running' | 'Succeeded' | 'Failed' | 'TimedOut' | 'Canceled';

export interface JobStatus {
  state: JobState;
  exitCode?: number;
  /** Human-readable detail (signal, timeout, submission error). */
  message?: string;
  startedAt?: string;
  endedAt?: string;
}

export function isJobFinished(state: JobState): boolean {
  return state !== 'Queued' && state !== 'Running';
}

/**
 * Where steps run. Local processes, an Azure Batch pool, a Databricks workspace.
 * `handle` is an opaque string the target gives back from `submit` and understands later,
 * also from another process (it is stored with the step run).
 */
export interface ComputeTarget {
  readonly name: string;
  /** Starts (or queues) the job. Idempotent: the same `job.id` never starts twice. */
  submit(job: StepJob): Promise<string>;
  /**
   * Current status. With `waitMs` > 0 the call may wait up to that long for the job's state to
   * change (start or finish), returning as soon as it does (lets the local driver avoid polling delays).
   */
  poll(handle: string, waitMs: number): Promise<JobStatus>;
  /** Stops the job (TERM, then KILL after a grace period, for processes). No-op when finished. */
  cancel(handle: string): Promise<void>;
}
