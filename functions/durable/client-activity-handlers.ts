/**
 * The activities that talk to the Durable client: start step orchestrations, deliver a step's
 * report to its run, and find the reports a run generation may have missed. All of them may run
 * more than once for one scheduled task, so each is idempotent.
 */
import type { InvocationContext } from '@azure/functions';
import { TransientError } from '../../shared/errors';
import type { DagStepRef } from '../../shared/orchestration/dag-progress';
import type { RunEvent, StepOrchestrationInput, StepOutcome } from '../../shared/orchestration/messages';
import type { RunStore } from '../../shared/store/run-store';
import type { ActivityHandler } from './activity-handlers';
import type { InstanceClient, InstanceState } from './instance-client';
import { CLIENT_ACTIVITY, RUN_EVENT, STEP_ORCHESTRATION, runInstanceId, stepInstanceId, type ClientActivityName } from './names';
import { withTransientRetry, type TransientRetryPolicy } from './transient-retry';

export interface ClientActivityDeps {
  client: (context: InvocationContext) => InstanceClient;
  store: () => Promise<RunStore>;
  retry: TransientRetryPolicy;
}

export interface StartStepsInput {
  steps: StepOrchestrationInput[];
}
export interface SignalRunInput {
  runId: string;
  event: RunEvent;
}
export interface MissedRunEventsInput {
  runId: string;
  running: DagStepRef[];
}

/** Client calls made at once by one activity. */
const CONCURRENT_CALLS = 8;

export function createClientActivityHandlers(deps: ClientActivityDeps): Record<ClientActivityName, ActivityHandler> {
  /** Each call retries transient failures (throttled store, unreachable client) as a whole: it is idempotent. */
  const retried =
    (work: (input: unknown, context: InvocationContext) => Promise<unknown>): ActivityHandler =>
    (input, context) =>
      withTransientRetry(() => work(input, context), deps.retry);

  return {
    [CLIENT_ACTIVITY.startSteps]: retried(async (input, context) => {
      const client = deps.client(context);
      await forEachLimited((input as StartStepsInput).steps, async (step) => {
        const instanceId = stepInstanceId(step.runId, step.step);
        if (await viaClient(() => client.status(instanceId))) return; // started by an earlier run of this activity
        try {
          await client.start(STEP_ORCHESTRATION, instanceId, step);
        } catch (err) {
          if (!(await viaClient(() => client.status(instanceId)))) throw clientError(err);
        }
      });
      return null;
    }),

    [CLIENT_ACTIVITY.signalRun]: retried(async (input, context) => {
      const { runId, event } = input as SignalRunInput;
      const delivered = await viaClient(() => deps.client(context).raise(runInstanceId(runId), RUN_EVENT, event));
      if (!delivered) context.warn(`run ${runId} has no orchestration instance; its step report was not delivered`);
      return null;
    }),

    [CLIENT_ACTIVITY.missedRunEvents]: retried(async (input, context) => {
      const { runId, running } = input as MissedRunEventsInput;
      const client = deps.client(context);
      const events: RunEvent[] = [];
      await forEachLimited(running, async ({ step, index }) => {
        const state = await viaClient(() => client.status(stepInstanceId(runId, step)));
        const event = state && reportedEvent(state, step, index);
        if (event) events.push(event);
      });
      events.sort((a, b) => (a.type === 'stepFinished' && b.type === 'stepFinished' ? a.index - b.index : 0));
      const run = await (await deps.store()).getRun(runId);
      if (run?.status === 'CancelRequested') events.push({ type: 'cancel', reason: run.statusReason ?? 'cancel requested' });
      return events;
    }),
  };
}

/** The client's failures are the host's or its storage's: worth another try. */
async function viaClient<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw clientError(err);
  }
}

function clientError(err: unknown): TransientError {
  return new TransientError(`Durable client: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
}

/**
 * What a step orchestration has reported, read from its status: the report it published before
 * signaling (custom status), or its final output, or how it ended.
 */
function reportedEvent(state: InstanceState, step: string, index: number): RunEvent | undefined {
  if (isStepFinished(state.customStatus)) return state.customStatus;
  const finished = (outcome: StepOutcome): RunEvent => ({ type: 'stepFinished', outcome, index });
  switch (state.runtimeStatus) {
    case 'Completed':
      return finished(state.output as StepOutcome);
    case 'Failed':
      return finished({ step, status: 'Failed', reused: false, message: `step orchestration failed: ${String(state.output)}` });
    case 'Terminated':
      return finished({ step, status: 'Canceled', reused: false, message: 'step orchestration was terminated' });
    default:
      return undefined;
  }
}

function isStepFinished(value: unknown): value is Extract<RunEvent, { type: 'stepFinished' }> {
  return typeof value === 'object' && value !== null && (value as RunEvent).type === 'stepFinished';
}

async function forEachLimited<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENT_CALLS, items.length) }, worker));
}
