/**
 * The app settings the Function App's code reads (the host reads AzureWebJobsStorage and
 * FUNCTIONS_WORKER_RUNTIME itself). `local.settings.example.json` lists the same names.
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
});

export type AzureSettings = z.infer<typeof SettingsSchema>;

export function readSettings(env: NodeJS.ProcessEnv = process.env): AzureSettings {
  const parsed = SettingsSchema.safeParse(env);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `app setting ${String(i.path[0])}: ${i.message}`);
  throw new ValidationError(`${problems.join('; ')} (see local.settings.example.json and docs/azure.md)`, String(parsed.error.issues[0]?.path[0]), problems);
}
