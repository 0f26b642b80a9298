/** SqliteConnection.writeGrouped: writes asked for in one turn share a transaction, yet succeed or fail alone. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { ConflictError } from '../../shared/errors';
import { SqliteConnection } from '../../shared/store/sqlite/connection';
import { SqliteRunStore } from '../../shared/store/sqlite/sqlite-run-store';
import { newRun, newStepRun } from './run-store-contract';

describe('SqliteConnection.writeGrouped (group commit)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tributary-group-commit-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const names = (conn: SqliteConnection) =>
    conn.read(() => conn.stmt('SELECT name FROM experiments ORDER BY name').all()).map((row) => row['name']);
  const insert = (conn: SqliteConnection, name: string) =>
    conn.stmt('INSERT INTO experiments (name, created_at, run_count) VALUES ($name, $at, 0)').run({ name, at: '2026-01-01T00:00:00.000Z' });

  it('a write that throws is undone alone; the others of its turn commit', async () => {
    const file = path.join(dir, 'alone.db');
    const conn = SqliteConnection.open(file);
    const other = SqliteConnection.open(file);
    const results = await Promise.allSettled([
      conn.writeGrouped(() => insert(conn, 'a')),
      conn.writeGrouped(() => {
        insert(conn, 'half-done');
        throw new Error('changed its mind');
      }),
      conn.writeGrouped(() => insert(conn, 'a')), // violates the primary key: a SQLite error, undone alone too
      conn.writeGrouped(() => {
        insert(conn, 'b');
        return 'value of b';
      }),
    ]);
    assert.deepEqual(results.map((r) => r.status), ['fulfilled', 'rejected', 'rejected', 'fulfilled']);
    assert.equal((results[3] as PromiseFulfilledResult<string>).value, 'value of b');
    assert.deepEqual(names(other), ['a', 'b'], 'another connection sees exactly the writes that succeeded');
    conn.close();
    other.close();
  });

  it('a turn whose writes all succeed runs each once and gives each its value', async () => {
    const conn = SqliteConnection.open(path.join(dir, 'plain.db'));
    const runs: string[] = [];
    const ran = (name: string) => () => {
      runs.push(name);
      return insert(conn, name).changes;
    };
    assert.deepEqual(await Promise.all([conn.writeGrouped(ran('x')), conn.writeGrouped(ran('y'))]), [1, 1]);
    assert.deepEqual(runs, ['x', 'y'], 'each write ran once');
    assert.deepEqual(names(conn), ['x', 'y']);
    conn.close();
  });

  it('a write alone in its turn that throws leaves nothing behind', async () => {
    const conn = SqliteConnection.open(path.join(dir, 'single.db'));
    await assert.rejects(
      conn.writeGrouped(() => {
        insert(conn, 'half-done');
        throw new Error('changed its mind');
      }),
      /changed its mind/,
    );
    assert.equal(await conn.writeGrouped(() => insert(conn, 'whole').changes), 1);
    assert.deepEqual(names(conn), ['whole']);
    conn.close();
  });

  it('settles each promise only once its write is committed, and close lands writes still waiting', async () => {
    const file = path.join(dir, 'settle.db');
    const conn = SqliteConnection.open(file);
    const other = SqliteConnection.open(file);
    const seen = await conn.writeGrouped(() => insert(conn, 'x')).then(() => names(other));
    assert.deepEqual(seen, ['x']);
    void conn.writeGrouped(() => insert(conn, 'y'));
    conn.close();
    assert.deepEqual(names(other), ['x', 'y']);
    other.close();
  });

  it('run store: racing writes of one step run in one turn end with one winner and a ConflictError', async () => {
    const store = SqliteRunStore.open(path.join(dir, 'race.db'));
    await store.createRun(newRun('run-race'));
    const [first, second] = await Promise.allSettled([store.putStepRun(newStepRun('run-race', 'train')), store.putStepRun(newStepRun('run-race', 'train'))]);
    assert.equal(first.status, 'fulfilled');
    assert.ok(second.status === 'rejected' && second.reason instanceof ConflictError);
    assert.equal((await store.getStepRun('run-race', 'train'))?.version, 1);
    await store.close();
  });
});
