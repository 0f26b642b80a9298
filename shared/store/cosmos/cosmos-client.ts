/**
 * How every Cosmos DB store connects: an account key (emulator and tests) or a credential
 * (DefaultAzureCredential in Azure), the client's own retries of throttled requests, and — when
 * asked — the database and the store's containers created on first use.
 */
import type { Agent } from 'node:https';
import { CosmosClient, type ContainerDefinition, type Database } from '@azure/cosmos';
import type { TokenCredential } from '@azure/identity';

export interface CosmosConnectionOptions {
  endpoint: string;
  database: string;
  /** A key only for the emulator and tests; in Azure a credential (DefaultAzureCredential). */
  auth: { key: string } | { credential: TokenCredential };
  /** Create the database and containers when missing (needs key auth: data-plane RBAC cannot). */
  createContainers?: boolean;
  /** Tests only: an agent that accepts the emulator's self-signed certificate. */
  agent?: Agent;
  /** Throttled (429) requests are retried by the client, honoring the server's delay, up to these limits. */
  throttling?: { maxRetries: number; maxWaitSeconds: number };
}

export interface CosmosConnection {
  client: CosmosClient;
  database: Database;
}

/** A client on `options.database`; with `createContainers`, the database and `containers` exist afterwards. */
export async function connectCosmos(options: CosmosConnectionOptions, containers: readonly ContainerDefinition[]): Promise<CosmosConnection> {
  const client = new CosmosClient({
    endpoint: options.endpoint,
    ...('key' in options.auth ? { key: options.auth.key } : { aadCredentials: options.auth.credential }),
    ...(options.agent ? { agent: options.agent } : {}),
    connectionPolicy: {
      retryOptions: { maxRetryAttemptCount: options.throttling?.maxRetries ?? 9, maxWaitTimeInSeconds: options.throttling?.maxWaitSeconds ?? 30 },
    },
  });
  const database = client.database(options.database);
  if (options.createContainers) {
    try {
      await client.databases.createIfNotExists({ id: options.database });
      for (const definition of containers) await database.containers.createIfNotExists(definition);
    } catch (err) {
      client.dispose();
      throw err;
    }
  }
  return { client, database };
}
