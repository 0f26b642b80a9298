import os from 'node:os';
import { updateRunRecord } from '../activities/run-records';
import type { RunStore } from '../store/run-store';
import type { Workspace } from '../workspace/workspace';
import { launchWorker } from './launch-worker';

/** Starts a detached worker for the run and records it as the run's driver. */
export async function startLocalRun(workspace: Workspace, store: RunStore, runId: string): Promise<void> {
  await recordLocalDriver(store, runId, launchWorker(workspace, runId));
}

/** Records the local worker `pid` as the run's driver; a run not started yet becomes Queued. */
export async function recordLocalDriver(store: RunStore, runId: string, pid: number): Promise<void> {
  await updateRunRecord(store, runId, (run) => ({
    driver: { kind: 'local', pid, host: os.hostname(), heartbeatAt: new Date().toISOString() },
    ...(run.status === 'NotStarted' ? { status: 'Queued' as const } : {}),
  }));
}
