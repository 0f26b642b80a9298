/**
 * A ContainerClient for a datastore: the workspace's Azurite with the development account,
 * Azure with DefaultAzureCredential (managed identity in a Function App), or a connection string
 * read from an environment variable.
 */
import { BlobServiceClient, StorageSharedKeyCredential, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';
import { ValidationError } from '../../errors';
import type { Workspace } from '../../workspace/workspace';
import { ensureAzurite } from '../azurite/azurite';
import type { DatastoreConfig } from './datastore-registry';

/** Few, quick retries: a stopped Azurite must give an error in seconds, not minutes. */
const PIPELINE: StoragePipelineOptions = { retryOptions: { maxTries: 4, retryDelayInMs: 200, maxRetryDelayInMs: 2_000 } };

export async function containerClientFor(workspace: Workspace, config: DatastoreConfig): Promise<ContainerClient> {
  switch (config.auth) {
    case 'azurite': {
      const azurite = await ensureAzurite(workspace);
      const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
      const container = new BlobServiceClient(azurite.blobEndpoint, credential, PIPELINE).getContainerClient(config.container);
      await container.createIfNotExists(); // local: create on first use; in Azure containers are provisioned with the account
      return container;
    }
    case 'defaultAzureCredential': {
      // Loaded only here: it costs every process that talks to Azurite some 60 ms.
      const { DefaultAzureCredential } = require('@azure/identity') as typeof import('@azure/identity');
      return new BlobServiceClient(config.accountUrl!, new DefaultAzureCredential(), PIPELINE).getContainerClient(config.container);
    }
    case 'connectionString': {
      const variable = config.connectionStringEnv!;
      const value = process.env[variable];
      if (!value) {
        throw new ValidationError(`datastore "${config.name}": environment variable ${variable} (its connection string) is not set`, variable);
      }
      return BlobServiceClient.fromConnectionString(value, PIPELINE).getContainerClient(config.container);
    }
  }
}
