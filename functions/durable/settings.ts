/**
 * The app settings the Function App's code reads (besides the HTTP API's TRIBUTARY_AUTH and
 * TRIBUTARY_ENTRA_*, read by `shared/api/auth/auth-settings.ts`; the host reads
 * FUNCTIONS_WORKER_RUNTIME itself). `local.settings.example.json` and `infra/` list the same
 * names, which `test/azure/settings-coverage.test.ts` checks.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../../shared/errors';

const flag = z.enum(['true', 'false']).default('false').transform((v) => v === 'true');

const SettingsSchema = z.object({
  /** Cosmos DB account endpoint, e.g. https://<account>.documents.azure.com:443/ */
  COSMOS_ENDPOINT: z.url({ protocol: /^https$/ }),
  COSMOS_DATABASE: z.string().regex(/^[A-Za-z0-9_-]{1,255}$/).default('tributary'),
  /** Account key: only for the Cosmos emulator. Absent, the app signs in with DefaultAzureCredential. */
  COSMOS_KEY: z.string().min(1).optional(),
  /** Create the database and containers at start (needs key auth: data-plane RBAC cannot). */
  COSMOS_CREATE_CONTAINERS: flag,
  /** Scratch folder of step attempts (logs, working folders) on the instance. */
  TRIBUTARY_WORKSPACE: z.string().min(1).default(path.join(os.tmpdir(), 'tributary')),
  /** Register the `local` compute (processes on this instance): for `func start` on one machine only. */
  TRIBUTARY_LOCAL_COMPUTE: flag,
  /**
   * The default datastore (outputs, attempt logs, snapshots): a storage account reached with the
   * app's managed identity, e.g. https://<account>.blob.core.windows.net
   */
  TRIBUTARY_DATASTORE_ACCOUNT_URL: z.url({ protocol: /^https$/ }).optional(),
  /** The datastore's blob container. */
  TRIBUTARY_DATASTORE_CONTAINER: z.string().regex(/^[a-z0-9-]{3,63}$/, 'a blob container name (3-63 lowercase letters, digits and hyphens)').default('workspaceblobstore'),
  /** The host's storage; also the datastore's connection string when there is no account URL (`func start` with Azurite). */
  AzureWebJobsStorage: z.string().min(1).optional(),
});

export type AzureSettings = z.infer<typeof SettingsSchema>;

/** The names of the settings above. */
export const APP_SETTING_NAMES: readonly string[] = Object.keys(SettingsSchema.shape);

/** App settings with the empty ones left out: an empty setting means "not set" (as in local.settings.example.json). */
export function nonEmptySettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
}

export function readSettings(env: NodeJS.ProcessEnv = process.env): AzureSettings {
  const parsed = SettingsSchema.safeParse(nonEmptySettings(env));
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `app setting ${String(i.path[0])}: ${i.message}`);
  throw new ValidationError(`${problems.join('; ')} (see local.settings.example.json and docs/azure.md)`, String(parsed.error.issues[0]?.path[0]), problems);
}
