/**
 * Wires the embedded defaults together: SQLite history, local processes, the workspace's data
 * plane, and the activities bound to them. One place, so the CLI, the worker, the SDK and the
 * local HTTP host all run with the same semantics.
 */
import path from 'node:path';
import { ValidationError } from '../errors';
import { createActivities } from '../activities/create-activities';
import type { WorkDirPreparer } from '../activities/work-dir';
import { LocalComputePool } from '../compute/local/local-compute-pool';
import type { DataPlane } from '../datastore/data-plane';
import { LocalFolderDataPlane } from '../datastore/local-folder-data-plane';
import type { Activities } from '../orchestration/activity-types';
import { localSnapshotStores } from '../snapshot/local-snapshots';
import { SnapshotWorkDir } from '../snapshot/snapshot-work-dir';
import type { RunStore } from '../store/run-store';
import type { Workspace } from '../workspace/workspace';
import { credentialVariables } from './credential-variables';
import { openStore } from './open-store';
import { LocalComputeResolver } from './local-computes';

export interface LocalServices {
  workspace: Workspace;
  store: RunStore;
  computes: LocalComputeResolver;
  activities: Activities;
  close(): Promise<void>;
}

/** Folder of the Python step helper shipped with Tributary (`python/tributary_step.py`). */
export const PYTHON_HELPER_DIR = path.resolve(__dirname, '..', '..', '..', 'python');

export function openLocalServices(
  workspace: Workspace,
  options: { data?: DataPlane; workDirs?: WorkDirPreparer; maxConcurrency?: number; pool?: LocalComputePool } = {},
): LocalServices {
  const store = openStore(workspace);
  const pool = options.pool ?? localComputePool(options.maxConcurrency);
  pool.withhold(credentialVariables(workspace));
  const computes = new LocalComputeResolver(pool);
  const data = options.data ?? dataPlaneFromEnv(workspace);
  const activities = createActivities({
    store,
    computes,
    data,
    workspace,
    workDirs: options.workDirs ?? snapshotWorkDirs(workspace, store),
    pythonHelperDir: PYTHON_HELPER_DIR,
  });
  return {
    workspace,
    store,
    computes,
    activities,
    async close() {
      await pool.close();
      try {
        await data.close?.();
      } finally {
        await store.close();
      }
    },
  };
}

/** Attempts start in a copy of the snapshot recorded at submission (never the live source folder). */
function snapshotWorkDirs(workspace: Workspace, store: RunStore): WorkDirPreparer {
  const idsByRun = new Map<string, Record<string, string>>();
  return new SnapshotWorkDir({
    store: localSnapshotStores(workspace).store,
    async snapshotIdOf({ runId, step }) {
      let ids = idsByRun.get(runId);
      if (!ids) {
        ids = (await store.getRun(runId))?.options.snapshots ?? {};
        idsByRun.set(runId, ids);
      }
      return ids[step];
    },
  });
}

/** The local compute targets, capped by `TRIBUTARY_LOCAL_CONCURRENCY` unless `maxConcurrency` is given. */
export function localComputePool(maxConcurrency?: number): LocalComputePool {
  return new LocalComputePool({ defaultMaxConcurrency: maxConcurrency ?? concurrencyFromEnv() });
}

/**
 * Loads the modules of the data plane `TRIBUTARY_DATASTORE` names, so that a process can do it
 * while it waits (a worker waiting for its run) rather than once it has work.
 */
export function loadDataPlaneModules(): void {
  if (dataPlaneMode() === 'azurite') loadBlobDataPlane();
}

/**
 * `TRIBUTARY_DATASTORE`: `azurite` (default) keeps outputs, logs and metrics on the workspace's
 * embedded Azurite datastore, as in Azure; `none` keeps them only in the workspace folder.
 */
function dataPlaneFromEnv(workspace: Workspace): DataPlane {
  const mode = dataPlaneMode();
  if (mode === 'azurite') return new (loadBlobDataPlane())(workspace);
  if (mode === 'none') return new LocalFolderDataPlane();
  throw new ValidationError(`TRIBUTARY_DATASTORE=${mode}: expected "azurite" or "none"`, 'TRIBUTARY_DATASTORE');
}

function dataPlaneMode(): string {
  return process.env.TRIBUTARY_DATASTORE || 'azurite';
}

/** Loaded only when used: the storage SDK costs about half a second to load. */
function loadBlobDataPlane(): typeof import('../datastore/blob/blob-data-plane').BlobDataPlane {
  return (require('../datastore/blob/blob-data-plane') as typeof import('../datastore/blob/blob-data-plane')).BlobDataPlane;
}

/** `TRIBUTARY_LOCAL_CONCURRENCY`: how many steps run at once on local compute (default: CPU count). */
function concurrencyFromEnv(): number | undefined {
  const raw = process.env.TRIBUTARY_LOCAL_CONCURRENCY;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new ValidationError(`TRIBUTARY_LOCAL_CONCURRENCY=${raw}: expected a whole number of at least 1`, 'TRIBUTARY_LOCAL_CONCURRENCY');
  }
  return value;
}
