/**
 * What the API handlers are given: stores, the run launcher, authentication and settings. Built
 * by a composition function per deployment: `host/local-services.ts` (SQLite, local workers, API
 * key) and, in Azure, one in `functions/` (Cosmos, the Durable launcher, Entra ID).
 */
import type { PipelineDefinition } from '../model/definition';
import type { PublishStore } from '../publish/publish-store';
import type { ContentStore } from '../snapshot/content-store';
import type { RunLauncher } from '../runs/run-launcher';
import type { RunStore } from '../store/run-store';
import type { Authenticator } from './auth/authenticator';
import type { StepLogSource } from './logs/step-log-source';

/** The server-side log: where details of unexpected errors go (never to the client). */
export interface ServerLog {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface ApiLimits {
  /** Largest request body, in bytes, of every route but publish. */
  maxBodyBytes: number;
  /** Largest body of a publish request (it carries a whole pipeline definition). */
  maxPublishBodyBytes: number;
}

export const DEFAULT_LIMITS: ApiLimits = { maxBodyBytes: 256 * 1024, maxPublishBodyBytes: 8 * 1024 * 1024 };

/** How long an Idempotency-Key keeps returning its first run. */
export const DEFAULT_IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * Freezes the source folders of a definition being published: step name → snapshot id (what
 * every invocation will run). Locally the workspace's snapshot store; in Azure, blob storage.
 */
export type SourceSnapshotter = (definition: PipelineDefinition, warn: (message: string) => void) => Promise<Record<string, string>>;

/**
 * Who snapshots step source folders when a definition is published (advertised by GET /api/health):
 * `server` — this Tributary reads the folders the definition names (it shares the publisher's
 * file system: `tributary serve`); `client` — the publisher snapshots them into the datastore's
 * content store and sends the ids (`snapshots` of the publish request), as for the Function App.
 */
export type SnapshotMode = 'server' | 'client';
export const SNAPSHOT_MODES: readonly SnapshotMode[] = ['server', 'client'];

export interface PublishSnapshots {
  mode: SnapshotMode;
  /** Where this Tributary's runs read snapshots from: snapshot ids a publisher sends must name a manifest here. */
  store: Pick<ContentStore, 'getManifest'>;
  /** Snapshots the source folders of steps the publisher sent no snapshot for (in `client` mode: refuses them). */
  snapshotSources: SourceSnapshotter;
}

export interface ApiServices {
  runs: RunStore;
  publish: PublishStore;
  launcher: RunLauncher;
  auth: Authenticator;
  stepLogs: StepLogSource;
  snapshots: PublishSnapshots;
  /** Compute names runs may use here; published definitions and runs are checked against them. */
  knownComputes: readonly string[];
  log: ServerLog;
  limits: ApiLimits;
  idempotencyTtlMs: number;
  now(): Date;
}
