/**
 * Publishing a definition from a client (CLI, SDK): the server says who snapshots step sources
 * (`GET /api/health` → `snapshots`). A server that shares the publisher's file system
 * (`tributary serve`, mode `server`) snapshots the folders itself; otherwise (the Function App,
 * mode `client`) the client snapshots each source folder into the datastore's content store —
 * the one the server runs from — and sends `snapshots: { step → id }` with the definition.
 */
import { Datastore } from '../datastore/blob/datastore';
import { BlobContentStore } from '../datastore/blob/blob-content-store';
import { DEFAULT_DATASTORE } from '../datastore/blob/datastore-registry';
import type { PipelineDefinition } from '../model/definition';
import type { ContentStore } from '../snapshot/content-store';
import { localSnapshotStores } from '../snapshot/local-snapshots';
import { snapshotPipelineSources } from '../snapshot/snapshot-work-dir';
import type { StatCache } from '../snapshot/stat-cache';
import type { Workspace } from '../workspace/workspace';
import type { ApiClient, PublishRequest } from './client';

export interface SourceUploadStores {
  /** The content store the server reads snapshots from (BlobContentStore on the shared datastore). */
  store: ContentStore;
  /** This machine's stat caches, so unchanged files are not hashed again. */
  cache: StatCache;
}

/**
 * The workspace's datastore `name` (default `workspaceblobstore`) as a snapshot store: register it
 * against the storage account the server uses (e.g. `accountUrl` with DefaultAzureCredential).
 */
export async function datastoreSnapshotStores(workspace: Workspace, name: string = DEFAULT_DATASTORE): Promise<SourceUploadStores> {
  const datastore = await Datastore.get(workspace, name);
  return { store: BlobContentStore.forDatastore(datastore), cache: localSnapshotStores(workspace).cache };
}

/** Snapshots every step's source folder into `stores` (each distinct folder once): step → snapshot id. */
export function uploadStepSources(definition: PipelineDefinition, stores: SourceUploadStores, workspace: Workspace, warn: (message: string) => void): Promise<Record<string, string>> {
  return snapshotPipelineSources(definition, { ...stores, warn: (w) => warn(w.message), excludeFolders: [workspace.root] });
}

export interface PublishSourcesOptions {
  workspace: Workspace;
  /** Where to upload when the server asks for client snapshots (default: the workspace's `workspaceblobstore`). */
  stores?: () => Promise<SourceUploadStores>;
  warn: (message: string) => void;
}

/** Publishes `request.definition`, uploading its step sources first when the server's snapshot mode is `client`. */
export async function publishDefinition(client: ApiClient, request: PublishRequest & { definition: PipelineDefinition }, options: PublishSourcesOptions) {
  const hasSources = Object.values(request.definition.steps).some((step) => step.codeDir !== undefined);
  if (!hasSources || (await client.health()).snapshots === 'server') return client.publish(request);
  const stores = await (options.stores ?? (() => datastoreSnapshotStores(options.workspace)))();
  const snapshots = await uploadStepSources(request.definition, stores, options.workspace, options.warn);
  return client.publish({ ...request, snapshots });
}
