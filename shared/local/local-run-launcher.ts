import { updateRunRecord } from '../activities/run-records';
import { updateStepRun, withoutVersion } from '../activities/step-records';
import { killOrphan } from '../compute/local/local-compute';
import type { RunLauncher } from '../runs/run-launcher';
import { isTerminal } from '../store/records';
import type { RunStore } from '../store/run-store';
import type { Workspace } from '../workspace/workspace';
import { isLeaseStale } from './run-worker';
import { startLocalRun } from './start-local-run';

/** Local runs: one detached worker process per run; cancel is a status the worker watches. */
export class LocalRunLauncher implements RunLauncher {
  constructor(
    private readonly workspace: Workspace,
    private readonly store: RunStore,
  ) {}

  start(runId: string): Promise<void> {
    return startLocalRun(this.workspace, this.store, runId);
  }

  async cancel(runId: string, reason: string): Promise<void> {
    const run = await updateRunRecord(this.store, runId, (current) =>
      isTerminal(current.status) || current.status === 'CancelRequested' ? undefined : { status: 'CancelRequested', statusReason: reason },
    );
    if (!isTerminal(run.status) && run.status !== 'NotStarted' && isLeaseStale(run.driver)) await this.cancelOrphanedRun(runId, reason);
  }

  /** No worker is left to act on the request: stop what it left running and close the run here. */
  private async cancelOrphanedRun(runId: string, reason: string): Promise<void> {
    const endedAt = new Date().toISOString();
    for (const step of await this.store.listStepRuns(runId)) {
      if (isTerminal(step.status)) continue;
      if (step.handle) await killOrphan(step.handle, 2_000);
      await updateStepRun(this.store, runId, step.step, (current) =>
        current && !isTerminal(current.status) ? { ...withoutVersion(current), status: 'Canceled', statusReason: reason, endedAt } : undefined,
      );
    }
    await updateRunRecord(this.store, runId, (current) => (isTerminal(current.status) ? undefined : { status: 'Canceled', statusReason: reason, endedAt }));
  }
}
