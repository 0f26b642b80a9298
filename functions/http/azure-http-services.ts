/**
 * The HTTP API's services in Azure, per invocation: the instance's Cosmos DB stores and datastore
 * (`azureServices`), a Durable run launcher on the invocation's Durable client, Microsoft Entra
 * ID bearer tokens, the datastore's snapshot store for publishing (publishers upload step sources
 * to it), and the invocation's log (Application Insights).
 */
import type { InvocationContext } from '@azure/functions';
import { authSettingsFromEnv } from '../../shared/api/auth/auth-settings';
import { EntraAuthenticator } from '../../shared/api/auth/entra';
import { DEFAULT_IDEMPOTENCY_TTL_MS, DEFAULT_LIMITS, type ServerLog } from '../../shared/api/services';
import { ValidationError } from '../../shared/errors';
import type { AzureServices } from '../durable/azure-services';
import { DurableRunLauncher } from '../durable/durable-run-launcher';
import type { InstanceClient } from '../durable/instance-client';
import { nonEmptySettings } from '../durable/settings';
import type { ServicesForInvocation } from './composition';
import { refuseSourceFolders } from './source-folders';

export interface AzureHttpDeps {
  services: () => Promise<AzureServices>;
  /** The Durable client of an invocation (`instanceClientFor`: every HTTP function declares the input). */
  client: (context: InvocationContext) => InstanceClient;
  /** App settings (default: the process environment). */
  env?: NodeJS.ProcessEnv;
}

export function azureHttpServices(deps: AzureHttpDeps): ServicesForInvocation {
  let auth: EntraAuthenticator | undefined; // one per instance: it caches the tenant's keys
  return async (context) => {
    const core = await deps.services();
    auth ??= entraAuthenticator(deps.env ?? process.env);
    return {
      runs: core.store,
      publish: core.publish,
      launcher: new DurableRunLauncher(deps.client(context), core.store),
      auth,
      stepLogs: core.stepLogs,
      // Publishers upload step sources to the datastore (client mode); the sent ids are checked against it.
      snapshots: { mode: 'client', store: core.snapshots, snapshotSources: refuseSourceFolders },
      knownComputes: core.computes.known(),
      log: invocationLog(context),
      limits: DEFAULT_LIMITS,
      idempotencyTtlMs: DEFAULT_IDEMPOTENCY_TTL_MS,
      now: () => new Date(),
    };
  };
}

/** Instances scale out, so a key generated on one would be unknown to the next: Azure takes Entra ID tokens only. */
function entraAuthenticator(env: NodeJS.ProcessEnv): EntraAuthenticator {
  const settings = authSettingsFromEnv(nonEmptySettings(env));
  if (settings.mode !== 'entra') {
    throw new ValidationError(
      'app setting TRIBUTARY_AUTH: the Function App accepts Microsoft Entra ID tokens only; set it to "entra" with TRIBUTARY_ENTRA_TENANT_ID and TRIBUTARY_ENTRA_AUDIENCE (API keys are for tributary serve)',
      'TRIBUTARY_AUTH',
    );
  }
  return new EntraAuthenticator(settings.entra);
}

/** JSON lines in the invocation's log: error details and audit lines, never credentials. */
function invocationLog(context: InvocationContext): ServerLog {
  return {
    info: (message, fields) => context.info(JSON.stringify({ message, ...fields })),
    error: (message, fields) => context.error(JSON.stringify({ message, ...fields })),
  };
}
