import type { ContainerClient } from '@azure/storage-blob';
import type { Workspace } from '../../workspace/workspace';
import { formatDatastoreUri } from '../datastore-uri';
import { containerClientFor } from './blob-clients';
import {
  DEFAULT_DATASTORE,
  getDatastoreConfig,
  listDatastores,
  parseDatastoreConfig,
  saveDatastoreConfig,
  type DatastoreConfig,
} from './datastore-registry';
import { uploadFiles, type UploadOptions, type UploadResult } from './upload-files';

/** What `Datastore.register` takes; `auth` defaults from the other fields. */
export interface DatastoreRegistration {
  name: string;
  container: string;
  /** An Azure storage account, authenticated with DefaultAzureCredential (managed identity). */
  accountUrl?: string;
  /** Name of an environment variable holding a connection string (the string itself is never stored). */
  connectionStringEnv?: string;
  auth?: DatastoreConfig['auth'];
}

/**
 * A named Blob container (Azure ML `Datastore`). `workspaceblobstore` is the default; locally it
 * lives in the workspace's embedded Azurite, started on first use.
 *
 * @example
 * const ds = await Datastore.get(workspace); // workspaceblobstore
 * const { uploaded, skipped } = await ds.uploadFiles(['./data'], { targetPath: 'datasets/iris' });
 * const input = ds.uri('datasets/iris'); // azureml://datastores/workspaceblobstore/paths/datasets/iris
 */
export class Datastore {
  private constructor(
    readonly config: DatastoreConfig,
    /** The underlying container, for operations beyond this class. */
    readonly container: ContainerClient,
  ) {}

  get name(): string {
    return this.config.name;
  }

  /** Connects to a registered datastore (NotFoundError naming the known ones). */
  static async get(workspace: Workspace, name: string = DEFAULT_DATASTORE): Promise<Datastore> {
    const config = getDatastoreConfig(workspace, name);
    return new Datastore(config, await containerClientFor(workspace, config));
  }

  /**
   * Registers (or replaces) a datastore in the workspace without connecting: its credentials (a
   * managed identity, a connection string variable) may exist only where it is used.
   */
  static async register(workspace: Workspace, registration: DatastoreRegistration): Promise<DatastoreConfig> {
    const auth = registration.auth ?? (registration.connectionStringEnv ? 'connectionString' : registration.accountUrl ? 'defaultAzureCredential' : 'azurite');
    const config = parseDatastoreConfig({ ...registration, auth });
    await saveDatastoreConfig(workspace, config);
    return config;
  }

  static list(workspace: Workspace): DatastoreConfig[] {
    return listDatastores(workspace);
  }

  /** Uploads files and folders (recursively); see {@link UploadOptions}. */
  uploadFiles(files: readonly string[], options: UploadOptions = {}): Promise<UploadResult> {
    return uploadFiles(this.container, files, options);
  }

  /** `azureml://datastores/<name>/paths/<path>` of a path on this datastore. */
  uri(path: string): string {
    return formatDatastoreUri({ datastore: this.name, path });
  }
}
