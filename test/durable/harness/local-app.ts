/**
 * The Function App as the replay harness runs it: the registered orchestration handlers and
 * activity handlers from functions/durable, with activities built by createActivities on local
 * adapters (SQLite store in a temporary folder, local processes or a named fake compute, the
 * local-folder data plane, copied working folders).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createActivityHandlers } from '../../../functions/durable/activity-handlers';
import { createClientActivityHandlers } from '../../../functions/durable/client-activity-handlers';
import { ComputeRegistry } from '../../../functions/durable/compute-registry';
import { DurableRunLauncher } from '../../../functions/durable/durable-run-launcher';
import { RUN_ORCHESTRATION, STEP_ORCHESTRATION } from '../../../functions/durable/names';
import { runOrchestrationHandler } from '../../../functions/durable/run-orchestration';
import { stepOrchestrationHandler } from '../../../functions/durable/step-orchestration';
import type { TransientRetryPolicy } from '../../../functions/durable/transient-retry';
import { createActivities } from '../../../shared/activities/create-activities';
import { CopyWorkDir } from '../../../shared/activities/work-dir';
import type { ComputeTarget } from '../../../shared/compute/compute-target';
import { LocalComputePool } from '../../../shared/compute/local/local-compute-pool';
import { LocalFolderDataPlane } from '../../../shared/datastore/local-folder-data-plane';
import type { MonitorSettings } from '../../../shared/orchestration/messages';
import type { Activities } from '../../../shared/orchestration/activity-types';
import type { PipelineDefinition } from '../../../shared/model/definition';
import { submitRun } from '../../../shared/runs/submit-run';
import type { RunStore } from '../../../shared/store/run-store';
import { SqliteRunStore } from '../../../shared/store/sqlite/sqlite-run-store';
import { ensureWorkspace, resolveWorkspace, type Workspace } from '../../../shared/workspace/workspace';
import { ReplayHarness, type HarnessOptions } from './replay-harness';

/** Retries in tests wait milliseconds, not seconds. */
export const FAST_RETRY: TransientRetryPolicy = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 5 };
/** Poll without long-polls and with short durable timers (virtual time: they cost nothing). */
export const TEST_MONITOR: MonitorSettings = { pollWaitMs: 0, initialDelayMs: 1000, maxDelayMs: 8000 };
export const PYTHON_HELPER_DIR = path.resolve(__dirname, '..', '..', '..', '..', 'python');

export interface TestApp {
  harness: ReplayHarness;
  launcher: DurableRunLauncher;
  store: RunStore;
  workspace: Workspace;
  /** Submits a definition and starts its Durable run; returns the run id. */
  submit(definition: PipelineDefinition, runId?: string): Promise<string>;
  close(): Promise<void>;
}

export interface TestAppOptions extends Partial<Pick<HarnessOptions, 'delivery' | 'order' | 'checkDeterminism' | 'dropQueuedEventsOnContinueAsNew'>> {
  /** Compute targets by name; default `local` = processes on this machine. */
  computes?: Record<string, ComputeTarget>;
  /** The run store (closed with the app); default: SQLite in the app's temporary folder. */
  store?: RunStore;
  /** Wraps the activities (fault injection). */
  wrapActivities?: (activities: Activities) => Activities;
  monitor?: MonitorSettings;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tributary-durable-'));
  const workspace = ensureWorkspace(resolveWorkspace(path.join(dir, 'ws')));
  const store = options.store ?? SqliteRunStore.open(workspace.historyDb);
  const pool = new LocalComputePool();
  const targets = new Map(Object.entries(options.computes ?? { local: pool.get('local') }));
  const computes = new ComputeRegistry(targets);
  const local = createActivities({ store, computes, data: new LocalFolderDataPlane(), workspace, workDirs: new CopyWorkDir(), pythonHelperDir: PYTHON_HELPER_DIR });
  const activities = options.wrapActivities ? options.wrapActivities(local) : local;
  const harness: ReplayHarness = new ReplayHarness({
    orchestrations: { [RUN_ORCHESTRATION]: runOrchestrationHandler, [STEP_ORCHESTRATION]: stepOrchestrationHandler },
    activities: {
      ...createActivityHandlers(async () => activities, FAST_RETRY),
      ...createClientActivityHandlers({ client: () => harness.client, store: async () => store, retry: FAST_RETRY }),
    },
    delivery: options.delivery,
    order: options.order,
    checkDeterminism: options.checkDeterminism,
    dropQueuedEventsOnContinueAsNew: options.dropQueuedEventsOnContinueAsNew,
  });
  const launcher = new DurableRunLauncher(harness.client, store, options.monitor ?? TEST_MONITOR);
  return {
    harness,
    launcher,
    store,
    workspace,
    async submit(definition, runId) {
      const run = await submitRun(store, { definition, knownComputes: computes.known(), runId, options: { source: 'test' } });
      await launcher.start(run.id);
      return run.id;
    },
    async close() {
      await pool.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
