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

  test('the promise returned by track rejects for callers who wait', async () => {
    const pending = new PendingWork();
    await assert.rejects(pending.track('r', 'k', async () => Promise.reject(new Error('no'))), /no/);
  });
});
