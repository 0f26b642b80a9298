/**
 * The DAG walk, written once. Each ready step is started as its own step orchestration (fan-out);
 * the walk then waits for one RunEvent at a time (fan-in) and starts whatever became ready.
 * Waiting on a fresh single event each time means no task is ever re-listed in a WhenAny, so the
 * Durable extension cannot schedule anything twice (azure-functions-durable-js#574).
 */
import { DagProgress } from './dag-progress';
import type { RunOrchestrationInput, RunSummary } from './messages';
import { call, nextRunEvent, startSteps, type OpGenerator } from './ops';

export function* runOrchestration(input: RunOrchestrationInput): OpGenerator<RunSummary> {
  const { runId, monitor } = input;
  const plan = yield* call('startRun', { runId });
  const dag = new DagProgress(plan);
  for (const outcome of plan.finished) dag.record(outcome);

  while (!dag.isDone()) {
    const ready = dag.takeReady();
    yield* startSteps(ready.map((step) => ({ runId, step, monitor })));
    if (dag.runningCount === 0) break;

    const event = yield* nextRunEvent();
    if (event.type === 'cancel') {
      yield* call('cancelSteps', { runId, steps: dag.runningSteps(), reason: event.reason });
      return yield* call('finishRun', { runId, canceledReason: event.reason });
    }
    const { outcome } = event;
    const { skipped, stopRun } = dag.record(outcome);
    const reason = `upstream step "${outcome.step}" ${outcome.status === 'Failed' ? 'failed' : 'was canceled'}`;
    if (skipped.length > 0) yield* call('skipSteps', { runId, steps: skipped, reason });
    if (stopRun && dag.runningCount > 0) {
      yield* call('cancelSteps', { runId, steps: dag.runningSteps(), reason: `step "${outcome.step}" failed and continue_on_step_failure is off` });
    }
  }
  return yield* call('finishRun', { runId });
}
