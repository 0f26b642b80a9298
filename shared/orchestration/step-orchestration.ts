/**
 * One step's life: reuse or submit, watch the job with the monitor pattern, finalize, retry per
 * the step's policy, then report to the run orchestration. Each attempt is submitted exactly once:
 * `submitStep` is a single activity call per attempt and is idempotent on the attempt id.
 *
 * A long watch continues as new every POLLS_PER_GENERATION polls, carrying the submitted attempt,
 * so the history stays bounded and nothing is submitted again. An activity that fails (a terminal
 * error, or transient retries exhausted) fails the step with the error's message; the step still
 * reports, so the run never waits for it.
 */
import type { JobStatus } from '../compute/compute-target';
import { isJobFinished } from '../compute/compute-target';
import { describeError } from '../errors';
import type { AttemptRef } from './activity-types';
import type { AttemptInProgress, StepOrchestrationInput, StepOutcome } from './messages';
import { call, continueAsNew, signalRun, sleep, type OpGenerator } from './ops';

export const POLLS_PER_GENERATION = 20;

/** The attempt under way, so a failure can be recorded against it. */
interface Current {
  attempt?: AttemptInProgress;
}

export function* stepOrchestration(input: StepOrchestrationInput): OpGenerator<StepOutcome> {
  const current: Current = { attempt: input.resume };
  let outcome: StepOutcome;
  try {
    outcome = yield* runStep(input, current);
  } catch (err) {
    outcome = yield* failStep(input, current.attempt, describeError(err));
  }
  yield* signalRun(input.runId, { type: 'stepFinished', outcome, index: input.index });
  return outcome;
}

function* runStep(input: StepOrchestrationInput, current: Current): OpGenerator<StepOutcome> {
  const { runId, step, monitor } = input;
  let progress: AttemptInProgress;
  if (input.resume) {
    progress = input.resume;
  } else {
    const prepared = yield* call('prepareStep', { runId, step });
    if (prepared.action !== 'run') return prepared.outcome;
    const first = prepared.firstAttempt;
    const lastAttempt = first + prepared.retry.maxAttempts - 1;
    progress = { attempt: first, handle: '', delayMs: monitor.initialDelayMs, firstAttempt: first, lastAttempt, retryDelaySeconds: prepared.retry.initialDelaySeconds };
  }
  for (;;) {
    current.attempt = progress;
    const ref: AttemptRef = { runId, step, attempt: progress.attempt };
    let job: JobStatus | undefined;
    if (!progress.handle) {
      const submitted = yield* call('submitStep', ref);
      if ('rejected' in submitted) job = { state: 'Failed', message: submitted.rejected };
      else current.attempt = progress = { ...progress, handle: submitted.handle };
    }
    job ??= yield* watch(input, progress);
    const { outcome, retryable } = yield* call('finalizeStep', { ...ref, handle: progress.handle, job });
    if (outcome.status !== 'Failed' || !retryable || progress.attempt >= progress.lastAttempt) return outcome;
    yield* sleep(progress.retryDelaySeconds * 1000 * 2 ** (progress.attempt - progress.firstAttempt));
    progress = { ...progress, attempt: progress.attempt + 1, handle: '', delayMs: monitor.initialDelayMs };
  }
}

/** Monitor pattern: poll (long-poll where the compute allows), then a durable timer with backoff. */
function* watch(input: StepOrchestrationInput, progress: AttemptInProgress): OpGenerator<JobStatus> {
  const { runId, step, monitor } = input;
  const { attempt, handle } = progress;
  let delayMs = progress.delayMs;
  for (let polls = 1; ; polls++) {
    const status = yield* call('pollStep', { runId, step, attempt, handle, waitMs: monitor.pollWaitMs });
    if (isJobFinished(status.state)) return status;
    if (delayMs > 0) {
      yield* sleep(delayMs);
      delayMs = Math.min(delayMs * 2, monitor.maxDelayMs);
    }
    if (polls === POLLS_PER_GENERATION) yield* continueAsNew({ ...input, resume: { ...progress, delayMs } });
  }
}

/**
 * Records an activity failure against the attempt under way, stopping its job first so nothing
 * keeps running unseen. When even that fails, the step still ends Failed with the first message.
 */
function* failStep(input: StepOrchestrationInput, attempt: AttemptInProgress | undefined, message: string): OpGenerator<StepOutcome> {
  const failed: StepOutcome = { step: input.step, status: 'Failed', reused: false, message };
  if (!attempt) return failed;
  const { runId, step } = input;
  try {
    if (attempt.handle) yield* call('cancelSteps', { runId, steps: [step], reason: message });
    const job: JobStatus = { state: 'Failed', message };
    return (yield* call('finalizeStep', { runId, step, attempt: attempt.attempt, handle: attempt.handle, job })).outcome;
  } catch {
    return failed;
  }
}
