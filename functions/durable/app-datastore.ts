/**
 * The Function App's default datastore (`workspaceblobstore`), registered in the instance's
 * workspace from the app settings: a storage account reached with the managed identity in Azure,
 * or the host's own storage connection string under `func start` (Azurite).
 */
import { Datastore, type DatastoreRegistration } from '../../shared/datastore/blob/datastore';
import { DEFAULT_DATASTORE } from '../../shared/datastore/blob/datastore-registry';
import { storageError } from '../../shared/datastore/blob/storage-errors';
import { ValidationError } from '../../shared/errors';
import type { Workspace } from '../../shared/workspace/workspace';
import type { AzureSettings } from './settings';

/** The setting whose connection string the datastore uses when there is no account URL. */
const HOST_STORAGE_SETTING = 'AzureWebJobsStorage';

export async function openAppDatastore(workspace: Workspace, settings: AzureSettings): Promise<Datastore> {
  const container = settings.TRIBUTARY_DATASTORE_CONTAINER;
  let registration: DatastoreRegistration;
  if (settings.TRIBUTARY_DATASTORE_ACCOUNT_URL) registration = { name: DEFAULT_DATASTORE, container, accountUrl: settings.TRIBUTARY_DATASTORE_ACCOUNT_URL };
  else if (settings.AzureWebJobsStorage) registration = { name: DEFAULT_DATASTORE, container, connectionStringEnv: HOST_STORAGE_SETTING };
  else {
    throw new ValidationError(
      'app setting TRIBUTARY_DATASTORE_ACCOUNT_URL: required (the storage account of the datastore), or AzureWebJobsStorage as a connection string under func start',
      'TRIBUTARY_DATASTORE_ACCOUNT_URL',
    );
  }
  await Datastore.register(workspace, registration);
  const datastore = await Datastore.get(workspace, DEFAULT_DATASTORE);
  if (registration.connectionStringEnv) {
    // func start: the container is made on first use, as the embedded Azurite does; in Azure, infra creates it.
    await datastore.container.createIfNotExists().catch((err: unknown) => {
      throw storageError(err, `creating the datastore container ${container}`);
    });
  }
  return datastore;
}
