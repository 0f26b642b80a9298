/**
 * The small interface the orchestration generators are written against. A generator yields
 * plain `Op` descriptors and receives their results; it never performs I/O. Two drivers
 * interpret the ops: the local driver (in-process, `shared/orchestration/local-driver.ts`) and
 * the Durable Functions adapter (`functions/`), which maps them onto `context.df`.
 *
 * Use the typed helpers (`yield* call('prepareStep', input)`) rather than building ops by hand,
 * so activity names and payloads are checked by the compiler.
 */
import type { ActivityInput, ActivityName, ActivityOutput } from './activity-types';
import type { DagStepRef } from './dag-progress';
import type { RunEvent, RunOrchestrationInput, StepOrchestrationInput } from './messages';

export type Op =
  | { kind: 'activity'; name: ActivityName; input: unknown }
  | { kind: 'all'; ops: Op[] }
  | { kind: 'timer'; delayMs: number }
  /** Start steps' own orchestrations without waiting for them (each reports back with a RunEvent). */
  | { kind: 'startSteps'; inputs: StepOrchestrationInput[] }
  /** Deliver a RunEvent to the run's orchestration (used by a step orchestration when it ends). */
  | { kind: 'signalRun'; runId: string; event: RunEvent }
  /** Wait for the next RunEvent addressed to this run (step finished, cancel requested). */
  | { kind: 'nextRunEvent' }
  /**
   * RunEvents that may have been sent to an earlier generation of this run and never handled
   * (Durable drops unhandled events on continue-as-new): reports of the given running steps and a
   * requested cancel. Handling one twice is harmless (DagProgress ignores repeated outcomes).
   */
  | { kind: 'missedRunEvents'; runId: string; running: DagStepRef[] }
  /** End this generation; the driver starts the same orchestration again with `input` (never returns). */
  | { kind: 'continueAsNew'; input: RunOrchestrationInput | StepOrchestrationInput }
  /** Read the orchestration's deterministic clock (Durable: currentUtcDateTime). */
  | { kind: 'now' };

export type OpGenerator<T> = Generator<Op, T, unknown>;

/** Calls an activity and returns its typed result. */
export function* call<N extends ActivityName>(name: N, input: ActivityInput<N>): OpGenerator<ActivityOutput<N>> {
  return (yield { kind: 'activity', name, input }) as ActivityOutput<N>;
}

/** Calls several activities at once and waits for all of them (fails fast on the first error). */
export function* callAll<N extends ActivityName>(name: N, inputs: ActivityInput<N>[]): OpGenerator<ActivityOutput<N>[]> {
  if (inputs.length === 0) return [];
  const ops: Op[] = inputs.map((input) => ({ kind: 'activity', name, input }));
  return (yield { kind: 'all', ops }) as ActivityOutput<N>[];
}

export function* sleep(delayMs: number): OpGenerator<void> {
  yield { kind: 'timer', delayMs };
}

export function* startSteps(inputs: StepOrchestrationInput[]): OpGenerator<void> {
  if (inputs.length === 0) return;
  yield { kind: 'startSteps', inputs };
}

export function* signalRun(runId: string, event: RunEvent): OpGenerator<void> {
  yield { kind: 'signalRun', runId, event };
}

export function* nextRunEvent(): OpGenerator<RunEvent> {
  return (yield { kind: 'nextRunEvent' }) as RunEvent;
}

export function* missedRunEvents(runId: string, running: DagStepRef[]): OpGenerator<RunEvent[]> {
  return (yield { kind: 'missedRunEvents', runId, running }) as RunEvent[];
}

export function* continueAsNew(input: RunOrchestrationInput | StepOrchestrationInput): OpGenerator<never> {
  yield { kind: 'continueAsNew', input };
  throw new Error('a generation that continued as new was resumed (driver bug)');
}

export function* now(): OpGenerator<Date> {
  return new Date((yield { kind: 'now' }) as string | number | Date);
}
