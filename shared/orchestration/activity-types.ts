/**
 * The typed activity registry. Orchestrations name activities through these types only, so a
 * wrong name or payload fails to compile (no bare strings). `createActivities` in
 * `shared/activities/` implements this interface; drivers dispatch on the names.
 */
import type { JobStatus } from '../compute/compute-target';
import type { RetryPolicy } from '../model/definition';
import type { RunPlan, RunSummary, StepOutcome } from './messages';

export interface StepRef {
  runId: string;
  step: string;
}

export interface AttemptRef extends StepRef {
  attempt: number;
}

export type PrepareResult =
  /** Outputs taken from an earlier step run with the same reuse key; nothing runs. */
  | { action: 'reused'; outcome: StepOutcome }
  /** Finished before starting (e.g. a missing input); nothing was submitted. */
  | { action: 'finished'; outcome: StepOutcome }
  | { action: 'run'; firstAttempt: number; retry: RetryPolicy };

export type SubmitResult =
  | { handle: string }
  /** The attempt could not start (missing input, unknown compute): the step fails before it runs. */
  | { rejected: string };

export interface FinalizeResult {
  outcome: StepOutcome;
  /** True when another attempt may succeed (transient failure, timeout); the policy decides. */
  retryable: boolean;
}

export interface Activities {
  /** Marks the run Running and returns its DAG plus steps already finished (resume). */
  startRun(input: { runId: string }): Promise<RunPlan>;
  /** Resolves inputs and snapshot, decides reuse; records the step as Queued or reused. */
  prepareStep(input: StepRef): Promise<PrepareResult>;
  /** Renders the command and submits one attempt to the step's compute; idempotent per attempt. */
  submitStep(input: AttemptRef): Promise<SubmitResult>;
  /** One monitor poll (may long-poll up to `waitMs`); records Running when the job starts. */
  pollStep(input: AttemptRef & { handle: string; waitMs: number }): Promise<JobStatus>;
  /** Checks and records outputs, metrics and the final status of an attempt. */
  finalizeStep(input: AttemptRef & { handle: string; job: JobStatus }): Promise<FinalizeResult>;
  /** Marks steps that will never start (upstream failed, run stopping) as Canceled with a reason; `reasons` gives some steps their own. */
  skipSteps(input: { runId: string; steps: string[]; reason: string; reasons?: Record<string, string> }): Promise<void>;
  /** Cancels the compute work of the named running steps. */
  cancelSteps(input: { runId: string; steps: string[]; reason: string }): Promise<void>;
  /** Computes and records the run's final status from its step runs. */
  finishRun(input: { runId: string; canceledReason?: string }): Promise<RunSummary>;
}

export type ActivityName = keyof Activities;
export type ActivityInput<N extends ActivityName> = Parameters<Activities[N]>[0];
export type ActivityOutput<N extends ActivityName> = Awaited<ReturnType<Activities[N]>>;
const activityNameSet: Record<ActivityName, true> = {
  startRun: true,
  prepareStep: true,
  submitStep: true,
  pollStep: true,
  finalizeStep: true,
  skipSteps: true,
  cancelSteps: true,
  finishRun: true,
};
/** Every activity name; the compiler checks the list against `Activities`. */
export const ACTIVITY_NAMES = Object.keys(activityNameSet) as ActivityName[];
