/**
 * Starts and stops runs in Azure: a run is a Durable orchestration instance whose id is the run
 * id. The HTTP API plugs this into the RunLauncher port with the client of its invocation:
 * `new DurableRunLauncher(instanceClientFor(context), store)`.
 */
import { updateRunRecord } from '../../shared/activities/run-records';
import type { MonitorSettings, RunEvent, RunOrchestrationInput } from '../../shared/orchestration/messages';
import type { RunLauncher } from '../../shared/runs/run-launcher';
import { isTerminal } from '../../shared/store/records';
import type { RunStore } from '../../shared/store/run-store';
import type { InstanceClient } from './instance-client';
import { RUN_EVENT, RUN_ORCHESTRATION, runInstanceId } from './names';

/**
 * Cloud jobs run for minutes to hours: poll without long-polling (activities stay short), then
 * back off from 10 s to 5 min between polls with durable timers.
 */
export const AZURE_MONITOR: MonitorSettings = { pollWaitMs: 0, initialDelayMs: 10_000, maxDelayMs: 300_000 };

export class DurableRunLauncher implements RunLauncher {
  constructor(
    private readonly client: InstanceClient,
    private readonly store: RunStore,
    private readonly monitor: MonitorSettings = AZURE_MONITOR,
  ) {}

  /** Idempotent: a run whose orchestration exists is not started again. */
  async start(runId: string): Promise<void> {
    const instanceId = runInstanceId(runId);
    if (await this.client.status(instanceId)) return;
    await updateRunRecord(this.store, runId, () => ({ driver: { kind: 'durable', instanceId, heartbeatAt: new Date().toISOString() } }));
    const input: RunOrchestrationInput = { runId, monitor: this.monitor };
    try {
      await this.client.start(RUN_ORCHESTRATION, instanceId, input);
    } catch (err) {
      if (!(await this.client.status(instanceId))) throw err;
    }
  }

  /**
   * Records CancelRequested, then tells the orchestration. The record comes first: a cancel event
   * the orchestration misses (not started yet, or between generations) is found there.
   */
  async cancel(runId: string, reason: string): Promise<void> {
    const run = await updateRunRecord(this.store, runId, (current) =>
      isTerminal(current.status) || current.status === 'CancelRequested' ? undefined : { status: 'CancelRequested', statusReason: reason },
    );
    if (isTerminal(run.status)) return;
    const event: RunEvent = { type: 'cancel', reason };
    await this.client.raise(runInstanceId(runId), RUN_EVENT, event);
  }
}
