import { updateRunRecord } from '../activities/run-records';
import type { RunLauncher } from '../runs/run-launcher';
import { isTerminal } from '../store/records';
import type { RunStore } from '../store/run-store';
import type { Workspace } from '../workspace/workspace';
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
    await updateRunRecord(this.store, runId, (run) =>
      isTerminal(run.status) || run.status === 'CancelRequested' ? undefined : { status: 'CancelRequested', statusReason: reason },
    );
  }
}
