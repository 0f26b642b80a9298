/**
 * The Function App's services, built once per instance from its app settings: the Cosmos DB run
 * store, the configured compute targets and the activities bound to them.
 */
import path from 'node:path';
import { DefaultAzureCredential } from '@azure/identity';
import { createActivities } from '../../shared/activities/create-activities';
import { CopyWorkDir } from '../../shared/activities/work-dir';
import type { ComputeTarget } from '../../shared/compute/compute-target';
import { LocalComputePool } from '../../shared/compute/local/local-compute-pool';
import { LocalFolderDataPlane } from '../../shared/datastore/local-folder-data-plane';
import type { Activities } from '../../shared/orchestration/activity-types';
import { CosmosRunStore } from '../../shared/store/cosmos/cosmos-run-store';
import type { RunStore } from '../../shared/store/run-store';
import { ensureWorkspace, resolveWorkspace } from '../../shared/workspace/workspace';
import { ComputeRegistry } from './compute-registry';
import { readSettings, type AzureSettings } from './settings';

export interface AzureServices {
  store: RunStore;
  computes: ComputeRegistry;
  activities: Activities;
}

/** Folder of the Python step helper shipped with the app (`python/`, next to `dist/`). */
const PYTHON_HELPER_DIR = path.resolve(__dirname, '..', '..', '..', 'python');

let services: Promise<AzureServices> | undefined;

/** The instance's services, created on first use (a failed start is retried on the next call). */
export function azureServices(): Promise<AzureServices> {
  services ??= createAzureServices(readSettings()).catch((err: unknown) => {
    services = undefined;
    throw err;
  });
  return services;
}

export async function createAzureServices(settings: AzureSettings): Promise<AzureServices> {
  const store = await CosmosRunStore.connect({
    endpoint: settings.COSMOS_ENDPOINT,
    database: settings.COSMOS_DATABASE,
    auth: settings.COSMOS_KEY ? { key: settings.COSMOS_KEY } : { credential: new DefaultAzureCredential() },
    createContainers: settings.COSMOS_CREATE_CONTAINERS,
  });
  const targets = new Map<string, ComputeTarget>();
  if (settings.TRIBUTARY_LOCAL_COMPUTE) targets.set('local', new LocalComputePool().get('local'));
  const computes = new ComputeRegistry(targets);
  // Until the blob data plane is wired here, step data stays in the instance's scratch folder.
  const activities = createActivities({
    store,
    computes,
    data: new LocalFolderDataPlane(),
    workspace: ensureWorkspace(resolveWorkspace(settings.TRIBUTARY_WORKSPACE)),
    workDirs: new CopyWorkDir(),
    pythonHelperDir: PYTHON_HELPER_DIR,
  });
  return { store, computes, activities };
}
