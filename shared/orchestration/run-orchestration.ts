/**
 * The DAG walk, written once. Each ready step is started as its own step orchestration (fan-out);
 * the walk then waits for one RunEvent at a time (fan-in) and starts whatever became ready.
 * Waiting on a fresh single event each time means no task is ever re-listed in a WhenAny, so the
 * Durable extension cannot schedule anything twice (azure-functions-durable-js#574).
 *
 * Every replay stays small, whatever the size of the pipeline:
 * - generation 0 reads the plan and continues as new with the DAG in compact form, and each later
 *   generation handles at most EVENTS_PER_GENERATION events before continuing as new again;
 * - at most MAX_RUNNING_STEPS steps run at once, so at most that many events can pile up in a
 *   generation while it waits on an activity (backpressure; the compute queues beyond it anyway),
 *   and a full window is refilled START_BATCH steps at a time rather than one per event.
 * A generation first collects the events its predecessor may have been sent but never handled
 * (Durable drops them on continue-as-new): at most the reports of its running steps.
 */
import { DagProgress } from './dag-progress';
import type { RunEvent, RunOrchestrationInput, RunSummary } from './messages';
import { call, continueAsNew, missedRunEvents, nextRunEvent, startSteps, type OpGenerator } from './ops';

/** Bounds a generation's history to a few hundred events. */
export const EVENTS_PER_GENERATION = 64;
/** Steps of one run running at once; the rest wait, ready, in the order they became ready. */
export const MAX_RUNNING_STEPS = 100;
export const START_BATCH = 10;

export function* runOrchestration(input: RunOrchestrationInput): OpGenerator<RunSummary> {
  if (!input.resume) return yield* readPlan(input);
  return yield* walk(input, DagProgress.restore(input.resume));
}

/** Generation 0: the plan (large) stays out of every later generation's history. */
function* readPlan(input: RunOrchestrationInput): OpGenerator<never> {
  const plan = yield* call('startRun', { runId: input.runId });
  const dag = new DagProgress(plan);
  for (const outcome of plan.finished) dag.record(outcome);
  return yield* continueAsNew({ runId: input.runId, monitor: input.monitor, resume: dag.snapshot() });
}

function* walk(input: RunOrchestrationInput, dag: DagProgress): OpGenerator<RunSummary> {
  const { runId, monitor } = input;
  for (const event of yield* missedRunEvents(runId, dag.runningRefs())) {
    const summary = yield* handle(runId, dag, event);
    if (summary) return summary;
  }
  for (let handled = 0; !dag.isDone(); handled++) {
    const free = MAX_RUNNING_STEPS - dag.runningCount;
    if (free >= Math.min(START_BATCH, dag.readyCount)) {
      const ready = dag.takeReadyRefs(free);
      yield* startSteps(ready.map(({ step, index }) => ({ runId, step, index, monitor })));
    }
    if (dag.runningCount === 0) break;
    if (handled === EVENTS_PER_GENERATION) return yield* continueAsNew({ runId, monitor, resume: dag.snapshot() });

    const summary = yield* handle(runId, dag, yield* nextRunEvent());
    if (summary) return summary;
  }
  return yield* call('finishRun', { runId });
}

/** Applies one RunEvent; returns the run's summary when the event ends the run (cancel). */
function* handle(runId: string, dag: DagProgress, event: RunEvent): OpGenerator<RunSummary | undefined> {
  if (event.type === 'cancel') {
    yield* call('cancelSteps', { runId, steps: dag.runningSteps(), reason: event.reason });
    return yield* call('finishRun', { runId, canceledReason: event.reason });
  }
  const { outcome } = event;
  const { skipped, stopped, stopRun } = dag.record(outcome, event.index);
  const reason = `upstream step "${outcome.step}" ${outcome.status === 'Failed' ? 'failed' : 'was canceled'}`;
  const stopReason = `step "${outcome.step}" failed and continue_on_step_failure is off`;
  if (skipped.length + stopped.length > 0) {
    // One activity whatever the mix, as before `reasons` existed: histories replay unchanged.
    const reasons = Object.fromEntries(stopped.map((step) => [step, `the run stopped: ${stopReason}`]));
    yield* call('skipSteps', { runId, steps: [...skipped, ...stopped], reason, ...(stopped.length > 0 ? { reasons } : {}) });
  }
  if (stopRun && dag.runningCount > 0) yield* call('cancelSteps', { runId, steps: dag.runningSteps(), reason: stopReason });
  return undefined;
}
