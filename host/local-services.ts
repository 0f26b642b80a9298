/**
 * The local composition of the API's services: SQLite run history and publish store in the
 * workspace, the queued run dispatcher, local step logs, and the API key (or Entra ID when the
 * settings say so, e.g. to try token validation locally).
 */
import { ApiKeyAuthenticator, loadOrCreateApiKey, type ApiKey } from '../shared/api/auth/api-key';
import { authSettingsFromEnv, type AuthSettings } from '../shared/api/auth/auth-settings';
import type { Authenticator } from '../shared/api/auth/authenticator';
import { EntraAuthenticator } from '../shared/api/auth/entra';
import { LocalStepLogs } from '../shared/api/logs/step-log-source';
import { DEFAULT_IDEMPOTENCY_TTL_MS, DEFAULT_LIMITS, type ApiLimits, type ApiServices, type PublishSnapshots, type ServerLog } from '../shared/api/services';
import { publishDbPath } from '../shared/publish/sqlite/publish-db';
import { SqlitePublishStore } from '../shared/publish/sqlite/sqlite-publish-store';
import { localSnapshotStores } from '../shared/snapshot/local-snapshots';
import { snapshotPipelineSources } from '../shared/snapshot/snapshot-work-dir';
import { openStore } from '../shared/local/open-store';
import type { Workspace } from '../shared/workspace/workspace';
import { RunDispatcher, type RunDispatcherOptions } from './run-dispatcher';
import { stderrLog } from './server-log';
import { WalCheckpointer } from './wal-checkpointer';

export interface LocalServicesOptions {
  /** Default: from the environment (TRIBUTARY_AUTH, ...), which defaults to the API key. */
  auth?: AuthSettings;
  dispatcher?: RunDispatcherOptions;
  limits?: Partial<ApiLimits>;
  log?: ServerLog;
  /**
   * Default: the server snapshots the folders it is sent into the workspace's snapshot store (it
   * shares the publisher's file system). Tests: a `client` mode over another store.
   */
  snapshots?: PublishSnapshots;
}

export interface LocalApiServices {
  services: ApiServices;
  dispatcher: RunDispatcher;
  /** The API key in force (API-key auth only); the host never prints it. */
  apiKey?: ApiKey;
  close(): Promise<void>;
}

export function composeLocalServices(workspace: Workspace, options: LocalServicesOptions = {}): LocalApiServices {
  const log = options.log ?? stderrLog;
  const auth = options.auth ?? authSettingsFromEnv();
  let apiKey: ApiKey | undefined;
  let authenticator: Authenticator;
  if (auth.mode === 'entra') {
    authenticator = new EntraAuthenticator(auth.entra);
  } else {
    apiKey = loadOrCreateApiKey(workspace);
    authenticator = new ApiKeyAuthenticator(apiKey.key);
  }
  const runs = openStore(workspace);
  const publish = SqlitePublishStore.open(publishDbPath(workspace));
  const checkpointer = new WalCheckpointer([workspace.historyDb, publishDbPath(workspace)]);
  const dispatcher = new RunDispatcher(workspace, runs, log, options.dispatcher);
  const snapshotStores = localSnapshotStores(workspace);
  const services: ApiServices = {
    runs,
    publish,
    launcher: dispatcher,
    auth: authenticator,
    stepLogs: new LocalStepLogs(workspace),
    snapshots: options.snapshots ?? {
      mode: 'server',
      store: snapshotStores.store,
      snapshotSources: (definition, warn) =>
        snapshotPipelineSources(definition, { ...snapshotStores, warn: (w) => warn(w.message), excludeFolders: [workspace.root] }),
    },
    knownComputes: ['local'],
    log,
    limits: { ...DEFAULT_LIMITS, ...options.limits },
    idempotencyTtlMs: DEFAULT_IDEMPOTENCY_TTL_MS,
    now: () => new Date(),
  };
  return {
    services,
    dispatcher,
    ...(apiKey ? { apiKey } : {}),
    async close() {
      await dispatcher.close();
      await checkpointer.stop();
      await publish.close();
      await runs.close();
    },
  };
}
