import type { DatabaseSync } from 'node:sqlite';
import { ValidationError } from '../../errors';

/**
 * Schema of the local run store, as an ordered list of migrations. `PRAGMA user_version` holds the
 * number of migrations applied; a database from a newer Tributary (higher version) is refused
 * rather than misread. Append new migrations; never edit an applied one.
 *
 * JSON columns hold the nested parts of a record (definition — in a table of its own —,
 * parameters, options, git, driver, outputs, reused_from, manifest). There are no foreign keys on purpose: the Cosmos store cannot
 * enforce them either, and both stores must behave the same.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE experiments (
    name       TEXT PRIMARY KEY,
    created_at TEXT NOT NULL,
    run_count  INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE runs (
    id                    TEXT PRIMARY KEY,
    experiment            TEXT NOT NULL,
    pipeline_name         TEXT NOT NULL,
    published_pipeline_id TEXT,
    status                TEXT NOT NULL,
    status_reason         TEXT,
    definition            TEXT NOT NULL,
    parameters            TEXT NOT NULL,
    options               TEXT NOT NULL,
    git                   TEXT,
    created_at            TEXT NOT NULL,
    started_at            TEXT,
    ended_at              TEXT,
    driver                TEXT,
    version               INTEGER NOT NULL
  );
  -- Every listing is newest first with (created_at, id) as the keyset, so each index ends with it.
  CREATE INDEX runs_by_created   ON runs (created_at DESC, id DESC);
  CREATE INDEX runs_by_experiment ON runs (experiment, created_at DESC, id DESC);
  CREATE INDEX runs_by_pipeline  ON runs (pipeline_name, created_at DESC, id DESC);
  CREATE INDEX runs_by_published ON runs (published_pipeline_id, created_at DESC, id DESC);
  CREATE INDEX runs_by_status    ON runs (status, created_at DESC, id DESC);

  -- A rowid table (not WITHOUT ROWID) so that rowid gives creation order for listStepRuns.
  CREATE TABLE step_runs (
    run_id        TEXT NOT NULL,
    step          TEXT NOT NULL,
    status        TEXT NOT NULL,
    status_reason TEXT,
    attempt       INTEGER NOT NULL,
    compute       TEXT NOT NULL,
    handle        TEXT,
    exit_code     INTEGER,
    queued_at     TEXT,
    started_at    TEXT,
    ended_at      TEXT,
    duration_ms   INTEGER,
    reused        INTEGER NOT NULL,
    reused_from   TEXT,
    reuse_key     TEXT,
    command       TEXT,
    outputs       TEXT NOT NULL,
    version       INTEGER NOT NULL,
    PRIMARY KEY (run_id, step)
  );

  CREATE TABLE metrics (
    seq       INTEGER PRIMARY KEY,
    run_id    TEXT NOT NULL,
    step      TEXT NOT NULL,
    name      TEXT NOT NULL,
    -- No declared type: no affinity, so the number 3 and the string '3' both come back as given.
    value,
    idx       INTEGER,
    logged_at TEXT NOT NULL
  );
  CREATE INDEX metrics_by_run ON metrics (run_id, step, seq);

  CREATE TABLE reuse (
    key           TEXT PRIMARY KEY,
    pipeline_name TEXT NOT NULL,
    run_id        TEXT NOT NULL,
    step          TEXT NOT NULL,
    outputs       TEXT NOT NULL,
    manifest      TEXT,
    created_at    TEXT NOT NULL
  );
  CREATE INDEX reuse_by_step ON reuse (pipeline_name, step, created_at DESC, key DESC);
  `,
  `
  -- A run's definition (hundreds of KB for a 1,000-step pipeline) in a table of its own: reading
  -- a run's small columns never walks its overflow pages. definition_rev moves whenever the
  -- definition is rewritten, so a reader may keep the parsed definition while it stays the same.
  CREATE TABLE run_definitions (
    run_id     TEXT PRIMARY KEY,
    definition TEXT NOT NULL
  );
  INSERT INTO run_definitions (run_id, definition) SELECT id, definition FROM runs;
  ALTER TABLE runs DROP COLUMN definition;
  ALTER TABLE runs ADD COLUMN definition_rev INTEGER NOT NULL DEFAULT 1;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export interface ConnectionSettings {
  /** How long a writer waits for another connection's lock before SQLITE_BUSY. */
  busyTimeoutMs: number;
}

/**
 * Per-connection settings. WAL lets readers run while one writer writes (two CLIs on one
 * workspace); synchronous=NORMAL in WAL mode never corrupts the database and loses nothing on a
 * process crash (only the last commits on a power loss), at a fraction of the cost of FULL.
 */
export function configureConnection(db: DatabaseSync, settings: ConnectionSettings): void {
  db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(settings.busyTimeoutMs))}`);
  // Returns the mode in force; a file system without shared memory keeps 'delete', which still works.
  db.prepare('PRAGMA journal_mode = WAL').get();
  db.exec('PRAGMA synchronous = NORMAL');
}

export function userVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get();
  const value = row?.['user_version'];
  return typeof value === 'number' ? value : 0;
}

/** A database's migrations: entry i brings user_version i to i + 1. */
export interface SqliteSchema {
  /** What the file is, for messages (`run store`, `publish store`). */
  label: string;
  migrations: readonly string[];
}

export const RUN_STORE_SCHEMA: SqliteSchema = { label: 'run store', migrations: MIGRATIONS };

/**
 * Brings the schema up to date. `runInWriteTransaction` is the store's BEGIN IMMEDIATE wrapper:
 * the version is read again inside it, so two processes opening a new file at once migrate once.
 */
export function migrate(db: DatabaseSync, dbPath: string, schema: SqliteSchema, runInWriteTransaction: (fn: () => void) => void): void {
  const latest = schema.migrations.length;
  const check = (version: number): boolean => {
    if (version > latest) {
      throw new ValidationError(
        `${schema.label} ${dbPath} has schema version ${version}, newer than this Tributary understands (${latest}): upgrade Tributary`,
        dbPath,
      );
    }
    return version < latest;
  };
  if (!check(userVersion(db))) return;
  runInWriteTransaction(() => {
    const from = userVersion(db);
    if (!check(from)) return;
    for (let i = from; i < latest; i++) db.exec(schema.migrations[i]!);
    db.exec(`PRAGMA user_version = ${latest}`);
  });
}
