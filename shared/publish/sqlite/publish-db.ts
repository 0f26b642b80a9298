/**
 * The local publish database: its own SQLite file next to the run history (`publish.db` in the
 * workspace), so publishing never migrates or locks the run store. Same settings as the run store:
 * WAL, busy timeout, every write one BEGIN IMMEDIATE transaction.
 */
import { chmodSync, closeSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { ValidationError } from '../../errors';
import { DEFAULT_BUSY_TIMEOUT_MS, mapSqliteError } from '../../store/sqlite/connection';
import { configureConnection, userVersion } from '../../store/sqlite/schema';
import type { Workspace } from '../../workspace/workspace';

const MIGRATIONS: readonly string[] = [
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

export class PublishDb {
  private readonly statements = new Map<string, StatementSync>();

  private constructor(
    private readonly db: DatabaseSync,
    readonly path: string,
    private readonly busyTimeoutMs: number,
  ) {}

  /** Opens (creating with mode 0600 if needed) and migrates the database at `dbPath`. */
  static open(dbPath: string, busyTimeoutMs = DEFAULT_BUSY_TIMEOUT_MS): PublishDb {
    const file = path.resolve(dbPath);
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    createPrivateFile(file);
    const db = new DatabaseSync(file, { timeout: busyTimeoutMs });
    const store = new PublishDb(db, file, busyTimeoutMs);
    try {
      configureConnection(db, { busyTimeoutMs });
      store.migrate();
      return store;
    } catch (err) {
      db.close();
      throw mapSqliteError(err, file, busyTimeoutMs);
    }
  }

  stmt(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw mapSqliteError(err, this.path, this.busyTimeoutMs);
    }
  }

  /** Runs `fn` in one BEGIN IMMEDIATE transaction: what it reads stays true until it commits. */
  write<T>(fn: () => T): T {
    try {
      this.db.exec('BEGIN IMMEDIATE');
    } catch (err) {
      throw mapSqliteError(err, this.path, this.busyTimeoutMs);
    }
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw mapSqliteError(err, this.path, this.busyTimeoutMs);
    }
  }

  close(): void {
    if (!this.db.isOpen) return;
    this.statements.clear();
    this.db.close();
  }

  private migrate(): void {
    const check = (version: number): boolean => {
      if (version > MIGRATIONS.length) {
        throw new ValidationError(`publish store ${this.path} has schema version ${version}, newer than this Tributary understands (${MIGRATIONS.length}): upgrade Tributary`, this.path);
      }
      return version < MIGRATIONS.length;
    };
    if (!check(userVersion(this.db))) return;
    this.write(() => {
      const from = userVersion(this.db);
      if (!check(from)) return;
      for (let i = from; i < MIGRATIONS.length; i++) this.db.exec(MIGRATIONS[i]!);
      this.db.exec(`PRAGMA user_version = ${MIGRATIONS.length}`);
    });
  }
}

function createPrivateFile(file: string): void {
  const fd = openSync(file, 'a', 0o600);
  try {
    const { mode, uid } = fstatSync(fd);
    if ((mode & 0o777) !== 0o600 && uid === process.getuid?.()) chmodSync(file, 0o600);
  } finally {
    closeSync(fd);
  }
}
