/**
 * The re-start sweep. An invocation records its run (NotStarted) before it starts the run's
 * orchestration, so an instance that dies in between, or a start that fails, leaves a run that
 * nobody drives. A timer finds such runs and starts them, with bounded work per tick:
 *
 * - only runs older than `minAgeMs`, so a run whose own invocation is still starting it is left
 *   alone (if both start it, `DurableRunLauncher.start` is idempotent on the instance id);
 * - a run with a live orchestration (Pending, Running, Suspended, ...) is left alone;
 * - a run whose orchestration has already ended while the run never started is recorded as
 *   Failed, naming the orchestration's status: starting it again could fail the same way on
 *   every tick, forever.
 *
 * Listings are newest first, so under a burst of fresh invocations the older runs wait for a
 * later tick; `maxChecked` bounds the Cosmos DB reads and Durable status calls of one tick.
 */
import type { InvocationContext, Timer } from '@azure/functions';
import { updateRunRecord } from '../../shared/activities/run-records';
import type { RunStatus } from '../../shared/store/records';
import type { RunStore } from '../../shared/store/run-store';
import { DurableRunLauncher } from './durable-run-launcher';
import type { InstanceClient } from './instance-client';
import { runInstanceId } from './names';

export interface SweepLimits {
  minAgeMs: number;
  /** Runs looked at per tick. */
  maxChecked: number;
  /** Runs started per tick. */
  maxStarted: number;
}

export const DEFAULT_SWEEP_LIMITS: SweepLimits = { minAgeMs: 2 * 60_000, maxChecked: 200, maxStarted: 20 };

export interface SweepResult {
  checked: number;
  started: string[];
  /** Runs recorded as Failed because their orchestration ended before they started. */
  failed: string[];
  /** Runs that could not be handled this tick (tried again on the next). */
  errors: { runId: string; message: string }[];
}

const UNSTARTED: readonly RunStatus[] = ['NotStarted', 'Queued'];
const ENDED = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);
const PAGE = 50;

export async function restartUnstartedRuns(store: RunStore, client: InstanceClient, now: Date, limits: SweepLimits = DEFAULT_SWEEP_LIMITS): Promise<SweepResult> {
  const result: SweepResult = { checked: 0, started: [], failed: [], errors: [] };
  const launcher = new DurableRunLauncher(client, store);
  const bounded = () => result.checked >= limits.maxChecked || result.started.length >= limits.maxStarted;
  for (const status of UNSTARTED) {
    let continuationToken: string | undefined;
    do {
      const page = await store.listRuns({ status, limit: PAGE, ...(continuationToken ? { continuationToken } : {}) });
      for (const run of page.items) {
        if (bounded()) return result;
        result.checked++;
        if (now.getTime() - Date.parse(run.createdAt) < limits.minAgeMs) continue;
        try {
          const state = await client.status(runInstanceId(run.id));
          if (!state) {
            await launcher.start(run.id);
            result.started.push(run.id);
          } else if (ENDED.has(state.runtimeStatus)) {
            const reason = `its orchestration ended (${state.runtimeStatus}) before the run started`;
            await updateRunRecord(store, run.id, (current) => (UNSTARTED.includes(current.status) ? { status: 'Failed', statusReason: reason, endedAt: now.toISOString() } : undefined));
            result.failed.push(run.id);
          }
        } catch (err) {
          result.errors.push({ runId: run.id, message: err instanceof Error ? err.message : String(err) });
        }
      }
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }
  return result;
}

export interface SweepDeps {
  store: () => Promise<RunStore>;
  client: (context: InvocationContext) => InstanceClient;
  limits?: SweepLimits;
}

/** The timer's handler: one bounded sweep, logged when it did something. */
export function restartSweepHandler(deps: SweepDeps): (timer: Timer, context: InvocationContext) => Promise<void> {
  return async (_timer, context) => {
    const result = await restartUnstartedRuns(await deps.store(), deps.client(context), new Date(), deps.limits);
    if (result.errors.length > 0) context.warn(JSON.stringify({ message: 'restart sweep', ...result }));
    else if (result.started.length > 0 || result.failed.length > 0) context.info(JSON.stringify({ message: 'restart sweep', ...result }));
  };
}
