import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PendingWork } from '../../shared/datastore/blob/pending-work';

describe('PendingWork', () => {
  test('work on one key runs in order, even across runs', async () => {
    const pending = new PendingWork();
    const order: string[] = [];
    void pending.track('run-a', 'k', async () => {
      await sleep(30);
      order.push('a');
    });
    void pending.track('run-b', 'k', async () => {
      order.push('b');
    });
    await pending.idle('k');
    assert.deepEqual(order, ['a', 'b']);
  });

  test("settle waits for the run's own work, even when another run queued on the same key since", async () => {
    const pending = new PendingWork();
    let aDone = false;
    void pending.track('run-a', 'shared', async () => {
      await sleep(40);
      aDone = true;
    });
    void pending.track('run-b', 'shared', async () => undefined);
    assert.deepEqual(await pending.settle('run-a'), []);
    assert.equal(aDone, true);
  });

  test('failures are kept for their run and reported once; an unawaited failure is not unhandled', async () => {
    const pending = new PendingWork();
    void pending.track('run-a', 'x', async () => {
      throw new Error('boom');
    });
    void pending.track('run-b', 'y', async () => undefined);
    await sleep(10);
    assert.deepEqual(await pending.settle('run-b'), []);
    const failures = await pending.settle('run-a');
    assert.deepEqual(failures.map((f) => [f.key, (f.error as Error).message]), [['x', 'boom']]);
    assert.deepEqual(await pending.settle('run-a'), []);
  });

  test('at most `limit` pieces of work run at once; the others start in the order they were queued', async () => {
    const pending = new PendingWork(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    for (let i = 0; i < 6; i++) {
      void pending.track('run', `k${i}`, async () => {
        started.push(i);
        most = Math.max(most, ++running);
        await sleep(5);
        running--;
      });
    }
    assert.deepEqual(await pending.settle('run'), []);
    assert.equal(most, 2);
    assert.deepEqual(started, [0, 1, 2, 3, 4, 5]);
  });

  test('a failed piece of work frees its slot', async () => {
    const pending = new PendingWork(1);
    void pending.track('run', 'a', async () => Promise.reject(new Error('first')));
    let ran = false;
    void pending.track('run', 'b', async () => {
      ran = true;
    });
    assert.deepEqual((await pending.settle('run')).map((f) => f.key), ['a']);
    assert.equal(ran, true);
  });

  test('the promise returned by track rejects for callers who wait', async () => {
    const pending = new PendingWork();
    await assert.rejects(pending.track('r', 'k', async () => Promise.reject(new Error('no'))), /no/);
  });
});
