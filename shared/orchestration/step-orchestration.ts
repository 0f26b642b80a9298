/**
 * One step's life: reuse or submit, watch the job with the monitor pattern, finalize, retry per
 * the step's policy, then report to the run orchestration. Each attempt is submitted exactly once:
 * `submitStep` is a single activity call per attempt and is idempotent on the attempt id.
 */
import type { JobStatus } from '../compute/compute-target';
import { isJobFinished } from '../compute/compute-target';
import type { AttemptRef } from './activity-types';
import type { MonitorSettings, StepOrchestrationInput, StepOutcome } from './messages';
import { call, signalRun, sleep, type OpGenerator } from './ops';

export function* stepOrchestration(input: StepOrchestrationInput): OpGenerator<StepOutcome> {
  const outcome = yield* runStep(input);
  yield* signalRun(input.runId, { type: 'stepFinished', outcome });
  return outcome;
}

function* runStep(input: StepOrchestrationInput): OpGenerator<StepOutcome> {
  const { runId, step, monitor } = input;
  const prepared = yield* call('prepareStep', { runId, step });
  if (prepared.action !== 'run') return prepared.outcome;

  const lastAttempt = prepared.firstAttempt + prepared.retry.maxAttempts - 1;
  for (let attempt = prepared.firstAttempt; ; attempt++) {
    const ref: AttemptRef = { runId, step, attempt };
    const submitted = yield* call('submitStep', ref);
    const handle = 'handle' in submitted ? submitted.handle : '';
    const job: JobStatus = 'handle' in submitted ? yield* watch(ref, handle, monitor) : { state: 'Failed', message: submitted.rejected };
    const { outcome, retryable } = yield* call('finalizeStep', { ...ref, handle, job });
    if (outcome.status !== 'Failed' || !retryable || attempt >= lastAttempt) return outcome;
    const retryNumber = attempt - prepared.firstAttempt;
    yield* sleep(prepared.retry.initialDelaySeconds * 1000 * 2 ** retryNumber);
  }
}

/** Monitor pattern: poll (long-poll where the compute allows), then a durable timer with backoff. */
function* watch(ref: AttemptRef, handle: string, monitor: MonitorSettings): OpGenerator<JobStatus> {
  let delayMs = monitor.initialDelayMs;
  for (;;) {
    const status = yield* call('pollStep', { ...ref, handle, waitMs: monitor.pollWaitMs });
    if (isJobFinished(status.state)) return status;
    if (delayMs > 0) {
      yield* sleep(delayMs);
      delayMs = Math.min(delayMs * 2, monitor.maxDelayMs);
    }
  }
}
