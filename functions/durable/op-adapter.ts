/**
 * Runs an orchestration generator from shared/ on Durable Functions: every Op it yields becomes
 * a context.df task (or an immediate answer), and results and failures go back into it.
 *
 * No task is ever re-listed: each Op creates fresh tasks, and the only compound tasks are the
 * `Task.all` of an Op's own children (azure-functions-durable-js#574 cannot happen here).
 */
import { TaskFailedError, type OrchestrationContext, type Task } from 'durable-functions';
import type { StepOutcome, RunEvent } from '../../shared/orchestration/messages';
import type { Op, OpGenerator } from '../../shared/orchestration/ops';
import type { MissedRunEventsInput, SignalRunInput, StartStepsInput } from './client-activity-handlers';
import { CLIENT_ACTIVITY, RUN_EVENT } from './names';

/** Step orchestrations started per activity call: bounds one call's input and the run's history. */
export const STEPS_PER_START_CALL = 50;
/** Custom status is limited to 16 KB; a step's reported message is cut well below that. */
const MAX_REPORTED_MESSAGE = 4000;

interface Scheduled {
  task: Task;
  /** Turns the task's result into what the generator expects for this Op. */
  result: (value: unknown) => unknown;
}

export function* runOnDurable<T>(generator: OpGenerator<T>, context: OrchestrationContext): Generator<Task, T | undefined, unknown> {
  let next = generator.next();
  while (!next.done) {
    const op = next.value;
    if (op.kind === 'now') {
      next = generator.next(context.df.currentUtcDateTime.toISOString());
      continue;
    }
    if (op.kind === 'continueAsNew') {
      context.df.continueAsNew(op.input);
      return undefined;
    }
    const scheduled = schedule(op, context);
    let value: unknown;
    try {
      value = yield scheduled.task;
    } catch (err) {
      next = generator.throw(activityError(err));
      continue;
    }
    next = generator.next(scheduled.result(value));
  }
  return next.value;
}

const same = (value: unknown): unknown => value;
const nothing = (): undefined => undefined;

function schedule(op: Exclude<Op, { kind: 'now' | 'continueAsNew' }>, context: OrchestrationContext): Scheduled {
  const df = context.df;
  switch (op.kind) {
    case 'activity':
      return { task: df.callActivity(op.name, op.input), result: same };
    case 'all':
      return { task: df.Task.all(op.ops.map((child) => activityTask(child, context))), result: same };
    case 'timer':
      return { task: df.createTimer(new Date(df.currentUtcDateTime.getTime() + op.delayMs)), result: nothing };
    case 'startSteps': {
      const calls: Task[] = [];
      for (let i = 0; i < op.inputs.length; i += STEPS_PER_START_CALL) {
        calls.push(df.callActivity(CLIENT_ACTIVITY.startSteps, { steps: op.inputs.slice(i, i + STEPS_PER_START_CALL) } satisfies StartStepsInput));
      }
      return { task: calls.length === 1 ? calls[0]! : df.Task.all(calls), result: nothing };
    }
    case 'signalRun':
      // Set in the same episode that schedules the signal, so the report is visible in this
      // instance's status before the event exists: a run generation that missed the event finds it.
      df.setCustomStatus(reported(op.event));
      return { task: df.callActivity(CLIENT_ACTIVITY.signalRun, { runId: op.runId, event: op.event } satisfies SignalRunInput), result: nothing };
    case 'nextRunEvent':
      return { task: df.waitForExternalEvent(RUN_EVENT), result: same };
    case 'missedRunEvents':
      return { task: df.callActivity(CLIENT_ACTIVITY.missedRunEvents, { runId: op.runId, running: op.running } satisfies MissedRunEventsInput), result: same };
  }
}

function activityTask(op: Op, context: OrchestrationContext): Task {
  if (op.kind !== 'activity') throw new Error(`only activities can run together (got "${op.kind}")`);
  return context.df.callActivity(op.name, op.input);
}

function reported(event: RunEvent): RunEvent {
  if (event.type !== 'stepFinished' || (event.outcome.message?.length ?? 0) <= MAX_REPORTED_MESSAGE) return event;
  const outcome: StepOutcome = { ...event.outcome, message: `${event.outcome.message!.slice(0, MAX_REPORTED_MESSAGE)}…` };
  return { ...event, outcome };
}

/**
 * The failure of a task as the generator should see it: the activity's own message. The
 * extension reports failures either with structured details or as "<reason> \n <details>".
 */
export function activityError(err: unknown): Error {
  if (err instanceof TaskFailedError) return new Error(err.failureDetails.errorMessage);
  if (err instanceof Error) return new Error(err.message.split(' \n ')[0]);
  return new Error(String(err));
}
