/**
 * Environment variables that hold Tributary's own credentials: the API key its HTTP API checks,
 * and each registered datastore's connection string. Steps run code that callers of a published
 * pipeline chose, and their logs are readable over the API, so local steps do not inherit these.
 */
import { API_KEY_ENV } from '../api/auth/api-key';
import { listDatastores } from '../datastore/blob/datastore-registry';
import type { Workspace } from '../workspace/workspace';

export function credentialVariables(workspace: Workspace): string[] {
  const connectionStrings = listDatastores(workspace).flatMap((d) => (d.connectionStringEnv ? [d.connectionStringEnv] : []));
  return [API_KEY_ENV, ...connectionStrings];
}
