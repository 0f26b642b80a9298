/**
 * The local publish database: its own SQLite file next to the run history (`publish.db` in the
 * workspace), so publishing never migrates or locks the run store. Same settings as the run store:
 * WAL, busy timeout, every write one BEGIN IMMEDIATE transaction.
 */
import path from 'node:path';
import { SqliteConnection } from '../../store/sqlite/connection';
import type { SqliteSchema } from '../../store/sqlite/schema';
import type { Workspace } from '../../workspace/workspace';

const PUBLISH_MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE published_pipelines (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    version       TEXT NOT NULL,
    description   TEXT,
    status        TEXT NOT NULL,
    definition    TEXT NOT NULL,
    snapshots     TEXT,
    source_run_id TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
  );
  CREATE UNIQUE INDEX published_by_name_version ON published_pipelines (name, version);
  CREATE INDEX published_by_created ON published_pipelines (created_at DESC, id DESC);
  CREATE INDEX published_by_name ON published_pipelines (name, created_at DESC, id DESC);

  CREATE TABLE pipeline_endpoints (
    name            TEXT PRIMARY KEY,
    description     TEXT,
    default_version TEXT NOT NULL,
    versions        TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    revision        INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE idempotency_keys (
    scope        TEXT NOT NULL,
    key          TEXT NOT NULL,
    run_id       TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    PRIMARY KEY (scope, key)
  ) WITHOUT ROWID;
  CREATE INDEX idempotency_by_expiry ON idempotency_keys (expires_at);
  `,
];

/** Where the local publish store lives. */
export function publishDbPath(workspace: Workspace): string {
  return path.join(workspace.root, 'publish.db');
}

const PUBLISH_SCHEMA: SqliteSchema = { label: 'publish store', migrations: PUBLISH_MIGRATIONS };

/** Opens (creating with mode 0600 if needed) and migrates the publish database at `dbPath`. */
export function openPublishDb(dbPath: string, busyTimeoutMs?: number): SqliteConnection {
  return SqliteConnection.open(dbPath, { busyTimeoutMs, schema: PUBLISH_SCHEMA });
}
