import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ActivityQueue } from '../../shared/orchestration/activity-queue';

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** A job that records when it starts and ends, and ends when told to. */
function gatedJob(log: string[], name: string) {
  let release!: () => void;
  const done = new Promise<void>((resolve) => (release = resolve));
  return { release, fn: async () => { log.push(`start ${name}`); await done; log.push(`end ${name}`); return name; } };
}

describe('ActivityQueue', () => {
  it('never runs more than its limit at once', async () => {
    const queue = new ActivityQueue(3);
    let running = 0;
    let most = 0;
    await Promise.all(Array.from({ length: 40 }, (_, i) => queue.run(i % 3, async () => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, 1 + (i % 4)));
      running--;
    })));
    assert.equal(most, 3);
  });

  it('starts waiting work by priority, and in arrival order within one priority', async () => {
    const log: string[] = [];
    const queue = new ActivityQueue(1);
    const first = gatedJob(log, 'first');
    const all = [queue.run(0, first.fn)];
    for (const [name, priority] of [['low-1', 0], ['high-1', 2], ['mid', 1], ['high-2', 2], ['low-2', 0]] as const) {
      all.push(queue.run(priority, async () => { log.push(`start ${name}`); return name; }));
    }
    await tick();
    first.release();
    await Promise.all(all);
    assert.deepEqual(log.filter((l) => l.startsWith('start')), ['start first', 'start high-1', 'start high-2', 'start mid', 'start low-1', 'start low-2']);
  });

  it('gives a freed place to the work that the finished work asks for next, before waiting work', async () => {
    const log: string[] = [];
    const queue = new ActivityQueue(1);
    const chain = (async () => {
      await queue.run(0, async () => log.push('prepare a'));
      await queue.run(1, async () => log.push('submit a'));
    })();
    const other = queue.run(0, async () => log.push('prepare b'));
    await Promise.all([chain, other]);
    assert.deepEqual(log, ['prepare a', 'submit a', 'prepare b']);
  });

  it('frees the place of work that fails, and passes its error on', async () => {
    const queue = new ActivityQueue(1);
    await assert.rejects(queue.run(0, async () => { throw new Error('boom'); }), /boom/);
    assert.equal(await queue.run(0, async () => 'after'), 'after');
  });

  it('rejects a limit that is not a whole number of at least 1', () => {
    assert.throws(() => new ActivityQueue(0), /whole number ≥ 1/);
    assert.throws(() => new ActivityQueue(1.5), /whole number ≥ 1/);
  });
});
