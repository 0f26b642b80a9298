/**
 * The Function App's services, built once per instance from its app settings: the Cosmos DB run
 * and publish stores, the default datastore (step data, attempt logs, snapshots), the configured
 * compute targets and the activities bound to them.
 */
import type { Agent } from 'node:https';
import path from 'node:path';
import { DefaultAzureCredential } from '@azure/identity';
import { createActivities } from '../../shared/activities/create-activities';
import { BlobStepLogs } from '../../shared/api/logs/blob-step-logs';
import type { StepLogSource } from '../../shared/api/logs/step-log-source';
import type { ComputeTarget } from '../../shared/compute/compute-target';
import { LocalComputePool } from '../../shared/compute/local/local-compute-pool';
import { BlobContentStore } from '../../shared/datastore/blob/blob-content-store';
import { BlobDataPlane } from '../../shared/datastore/blob/blob-data-plane';
import type { Activities } from '../../shared/orchestration/activity-types';
import { CosmosPublishStore } from '../../shared/publish/cosmos/cosmos-publish-store';
import type { PublishStore } from '../../shared/publish/publish-store';
import type { ContentStore } from '../../shared/snapshot/content-store';
import { SnapshotWorkDir } from '../../shared/snapshot/snapshot-work-dir';
import type { CosmosConnectionOptions } from '../../shared/store/cosmos/cosmos-client';
import { CosmosRunStore } from '../../shared/store/cosmos/cosmos-run-store';
import type { RunStore } from '../../shared/store/run-store';
import { ensureWorkspace, resolveWorkspace } from '../../shared/workspace/workspace';
import { openAppDatastore } from './app-datastore';
import { ComputeRegistry } from './compute-registry';
import { readSettings, type AzureSettings } from './settings';

export interface AzureServices {
  store: RunStore;
  publish: PublishStore;
  computes: ComputeRegistry;
  activities: Activities;
  stepLogs: StepLogSource;
  /** The snapshot store on the default datastore: attempts start in its snapshots; publishers upload to it. */
  snapshots: ContentStore;
  /** Tests: disposes the clients and stops local compute (instances in Azure never close them). */
  close(): Promise<void>;
}

/** Tests only: an agent that accepts the Cosmos test server's self-signed certificate. */
export interface AzureServicesTesting {
  cosmosAgent?: Agent;
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

export async function createAzureServices(settings: AzureSettings, testing: AzureServicesTesting = {}): Promise<AzureServices> {
  const cosmos: CosmosConnectionOptions = {
    endpoint: settings.COSMOS_ENDPOINT,
    database: settings.COSMOS_DATABASE,
    auth: settings.COSMOS_KEY ? { key: settings.COSMOS_KEY } : { credential: new DefaultAzureCredential() },
    createContainers: settings.COSMOS_CREATE_CONTAINERS,
    ...(testing.cosmosAgent ? { agent: testing.cosmosAgent } : {}),
  };
  const store = await CosmosRunStore.connect(cosmos);
  let publish: PublishStore | undefined;
  try {
    publish = await CosmosPublishStore.connect(cosmos);
    const workspace = ensureWorkspace(resolveWorkspace(settings.TRIBUTARY_WORKSPACE));
    const datastore = await openAppDatastore(workspace, settings);
    const snapshots = BlobContentStore.forDatastore(datastore);
    const targets = new Map<string, ComputeTarget>();
    const pool = settings.TRIBUTARY_LOCAL_COMPUTE ? new LocalComputePool() : undefined;
    if (pool) targets.set('local', pool.get('local'));
    const computes = new ComputeRegistry(targets);
    const activities = createActivities({
      store,
      computes,
      // Activities are short and instances come and go: everything is on the datastore before an activity returns.
      data: new BlobDataPlane(workspace, { background: false }),
      workspace,
      // Attempts start in the snapshot recorded with the run (its published pipeline's), from the datastore.
      workDirs: new SnapshotWorkDir({
        store: snapshots,
        snapshotIdOf: async ({ runId, step }) => (await store.getRun(runId))?.options.snapshots?.[step],
      }),
      pythonHelperDir: PYTHON_HELPER_DIR,
    });
    const stores = [store, publish];
    return {
      store,
      publish,
      computes,
      activities,
      stepLogs: new BlobStepLogs(datastore.container),
      snapshots,
      async close() {
        await pool?.close();
        await Promise.all(stores.map((s) => s.close()));
      },
    };
  } catch (err) {
    await Promise.all([store.close(), publish?.close()]);
    throw err;
  }
}
