import { chmodSync, closeSync, fstatSync, mkdirSync, openSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { DatabaseSync, type SQLInputValue, type SQLOutputValue, type StatementSync } from 'node:sqlite';
import { TransientError, TributaryError, ValidationError } from '../../errors';
import { configureConnection, migrate, RUN_STORE_SCHEMA, type SqliteSchema } from './schema';

/** A row as read (or as about to be written): column name to value. */
export type Row = Readonly<Record<string, SQLOutputValue | SQLInputValue>>;
export type Params = Record<string, SQLInputValue>;

export interface ConnectionOptions {
  /** How long a write waits for another process's lock before failing with TransientError. Default 5000. */
  busyTimeoutMs?: number;
  /** The migrations to apply; the run store's by default. */
  schema?: SqliteSchema;
}

export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

// Primary result codes (the low byte of an extended code).
const SQLITE_BUSY = 5;
const SQLITE_LOCKED = 6;
const SQLITE_NOTADB = 26;

/**
 * One open SQLite file: a cache of prepared statements and a write-transaction helper.
 * `node:sqlite` is synchronous, so a method that never awaits runs to the end before any other
 * call on this connection; transactions therefore never interleave within one process.
 */
export class SqliteConnection {
  private readonly statements = new Map<string, StatementSync>();
  private readonly begin: StatementSync;
  private readonly commit: StatementSync;
  private readonly rollback: StatementSync;
  private readonly savepoint: { open: StatementSync; release: StatementSync; undo: StatementSync };
  private readonly grouped: GroupedWrite[] = [];
  private groupScheduled = false;

  private constructor(
    readonly db: DatabaseSync,
    readonly path: string,
    readonly busyTimeoutMs: number,
    private readonly label: string,
  ) {
    this.begin = db.prepare('BEGIN IMMEDIATE');
    this.commit = db.prepare('COMMIT');
    this.rollback = db.prepare('ROLLBACK');
    this.savepoint = { open: db.prepare('SAVEPOINT grouped'), release: db.prepare('RELEASE grouped'), undo: db.prepare('ROLLBACK TO grouped') };
  }


  /** Opens (creating if needed, mode 0600) and migrates the database at `dbPath`. */
  static open(dbPath: string, options: ConnectionOptions = {}): SqliteConnection {
    const path = resolve(dbPath);
    const busyTimeoutMs = options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS;
    const schema = options.schema ?? RUN_STORE_SCHEMA;
    let db: DatabaseSync;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      createPrivateFile(path);
      db = new DatabaseSync(path, { timeout: busyTimeoutMs });
    } catch (err) {
      throw openFailure(err, path, schema.label);
    }
    let conn: SqliteConnection | undefined;
    try {
      configureConnection(db, { busyTimeoutMs });
      conn = new SqliteConnection(db, path, busyTimeoutMs, schema.label);
      const c = conn;
      migrate(db, path, schema, (fn) => c.write(fn));
      return conn;
    } catch (err) {
      db.close();
      throw (sqliteResultCode(err) & 0xff) === SQLITE_NOTADB ? openFailure(err, path, schema.label) : mapSqliteError(err, path, busyTimeoutMs, schema.label);
    }
  }

  /** The prepared statement for `sql`, prepared once per connection. */
  stmt(sql: string): StatementSync {
    let statement = this.statements.get(sql);
    if (statement === undefined) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  /** Runs `fn` (reads only), turning a lock that outlasted the busy timeout into TransientError. */
  read<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw mapSqliteError(err, this.path, this.busyTimeoutMs, this.label);
    }
  }

  /**
   * Runs `fn` in a BEGIN IMMEDIATE transaction: the write lock is taken up front (waiting up to
   * the busy timeout), so a transaction that read a row can never fail to upgrade to a writer
   * half-way, and what it read stays true until it commits.
   */
  write<T>(fn: () => T): T {
    try {
      this.begin.run();
    } catch (err) {
      throw mapSqliteError(err, this.path, this.busyTimeoutMs, this.label);
    }
    try {
      const result = fn();
      this.commit.run();
      return result;
    } catch (err) {
      if (this.db.isTransaction) {
        try {
          this.rollback.run();
        } catch {
          // The original error is the one worth reporting; SQLite has already undone the work.
        }
      }
      throw mapSqliteError(err, this.path, this.busyTimeoutMs, this.label);
    }
  }

  /**
   * Like `write`, but committed together with the other grouped writes asked for in the same turn
   * of the event loop (group commit): one transaction, one round of locks and one WAL append for
   * all of them, which matters when a thousand steps change state at once. A write that throws is
   * undone alone and only its promise rejects: the group is then run again with each `fn` in its
   * own savepoint (so an `fn` may run twice; it only touches the database). Promises settle after
   * the commit: no caller goes on before its write is in the database.
   */
  writeGrouped<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.grouped.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.groupScheduled) return;
      this.groupScheduled = true;
      setImmediate(() => this.commitGrouped());
    });
  }

  private commitGrouped(): void {
    this.groupScheduled = false;
    const batch = this.grouped.splice(0);
    if (batch.length === 0) return;
    if (batch.length === 1) return this.writeAlone(batch[0]!); // no savepoint needed
    if (!this.commitAllOrNothing(batch)) this.commitWithSavepoints(batch);
  }

  /** The usual case, with no statement spent on savepoints: every write succeeds. False (and nothing written) if one throws. */
  private commitAllOrNothing(batch: readonly GroupedWrite[]): boolean {
    const values: unknown[] = [];
    try {
      this.begin.run();
    } catch (err) {
      this.failAll(err, batch); // the lock was not had within the busy timeout: not worth a second wait
      return true;
    }
    try {
      for (const w of batch) values.push(w.fn());
      this.commit.run();
    } catch {
      if (this.db.isTransaction) this.rollback.run();
      return false;
    }
    batch.forEach((w, i) => w.resolve(values[i]));
    return true;
  }

  private failAll(err: unknown, writes: readonly GroupedWrite[]): void {
    const error = mapSqliteError(err, this.path, this.busyTimeoutMs, this.label);
    for (const w of writes) w.reject(error);
  }

  private commitWithSavepoints(batch: readonly GroupedWrite[]): void {
    try {
      this.begin.run();
    } catch (err) {
      return this.failAll(err, batch);
    }
    const settle: (() => void)[] = [];
    for (const w of batch) {
      this.savepoint.open.run();
      try {
        const value = w.fn();
        this.savepoint.release.run();
        settle.push(() => w.resolve(value));
      } catch (err) {
        if (!this.db.isTransaction) return this.failAll(err, batch); // SQLite gave up the whole transaction
        this.savepoint.undo.run();
        this.savepoint.release.run();
        const error = mapSqliteError(err, this.path, this.busyTimeoutMs, this.label);
        settle.push(() => w.reject(error));
      }
    }
    try {
      this.commit.run();
    } catch (err) {
      if (this.db.isTransaction) this.rollback.run();
      return this.failAll(err, batch);
    }
    for (const done of settle) done();
  }

  private writeAlone(w: GroupedWrite): void {
    let value: unknown;
    try {
      value = this.write(w.fn);
    } catch (err) {
      return w.reject(err);
    }
    w.resolve(value);
  }

  close(): void {
    if (!this.db.isOpen) return;
    this.commitGrouped(); // writes asked for before close still land
    this.statements.clear();
    this.db.close();
  }
}

interface GroupedWrite {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** Why the database file could not be opened, naming it and what to do. */
function openFailure(err: unknown, path: string, label: string): ValidationError {
  const detail = err instanceof Error ? err.message : String(err);
  if ((sqliteResultCode(err) & 0xff) === SQLITE_NOTADB) {
    return new ValidationError(`${path} is not a ${label} database (${detail}); move it aside (mv ${path} ${path}.broken) to start a new one`, path);
  }
  return new ValidationError(`cannot open the ${label} ${path} (${detail}); its folder must exist and be writable (or point --workspace or TRIBUTARY_WORKSPACE elsewhere)`, path);
}

/** SQLITE_BUSY/SQLITE_LOCKED become TransientError (retried with backoff); anything else passes through. */
export function mapSqliteError(err: unknown, path: string, busyTimeoutMs: number, label = 'run store'): unknown {
  if (err instanceof TributaryError) return err;
  const primary = sqliteResultCode(err) & 0xff;
  if (primary === SQLITE_BUSY || primary === SQLITE_LOCKED) {
    const detail = err instanceof Error ? ` (${err.message})` : '';
    return new TransientError(
      `${label} ${path} is locked by another Tributary process and stayed locked for more than ${busyTimeoutMs} ms${detail}; try again`,
      { cause: err },
    );
  }
  return err;
}

/** The SQLite result code of an error thrown by node:sqlite, or -1 for any other error. */
function sqliteResultCode(err: unknown): number {
  if (!(err instanceof Error) || !('code' in err) || err.code !== 'ERR_SQLITE_ERROR') return -1;
  return 'errcode' in err && typeof err.errcode === 'number' ? err.errcode : -1;
}

/** Creates the file with mode 0600 if missing, and narrows an existing file of ours to 0600. */
function createPrivateFile(path: string): void {
  const fd = openSync(path, 'a', 0o600);
  try {
    const { mode, uid } = fstatSync(fd);
    if ((mode & 0o777) !== 0o600 && uid === process.getuid?.()) chmodSync(path, 0o600);
  } finally {
    closeSync(fd);
  }
}
