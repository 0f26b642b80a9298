import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { updateRunRecord } from '../../shared/activities/run-records';
import { ConflictError } from '../../shared/errors';
import { DriverWatch } from '../../shared/local/driver-gone';
import { openStore } from '../../shared/local/open-store';
import type { RunStore } from '../../shared/store/run-store';
import type { Workspace } from '../../shared/workspace/workspace';
import { tempWorkspace } from '../support/azurite';
import { minimalRun } from '../store/run-store-contract';

/** The pid of a process that has exited. */
function deadPid(): number {
  return spawnSync('true').pid!;
}

describe('DriverWatch: a waiter notices a run nothing drives any more', () => {
  let ws: Workspace;
  let store: RunStore;
  const lease = (pid: number) => ({ driver: { kind: 'local' as const, pid, host: os.hostname(), heartbeatAt: new Date().toISOString() } });

  before(() => {
    ws = tempWorkspace('tributary-driver-');
    mkdirSync(ws.runsDir, { recursive: true });
    store = openStore(ws);
  });
  after(async () => {
    await store.close();
    rmSync(ws.root, { recursive: true, force: true });
  });

  async function runDrivenBy(id: string, pid: number): Promise<DriverWatch> {
    await store.createRun({ ...minimalRun(id), status: 'Running' });
    await updateRunRecord(store, id, () => lease(pid));
    return new DriverWatch(store, ws, id, 0);
  }

  it('throws at the second look at the same gone driver, quoting the end of its log and naming tributary resume', async () => {
    const pid = deadPid();
    const watch = await runDrivenBy('run-gone', pid);
    mkdirSync(path.join(ws.runsDir, 'run-gone'), { recursive: true });
    writeFileSync(path.join(ws.runsDir, 'run-gone', 'driver.log'), 'started\nworker failed: out of luck\nworker failed: out of luck\n');
    await watch.check();
    await assert.rejects(watch.check(), (err: unknown) => {
      assert.ok(err instanceof ConflictError);
      assert.equal(
        err.message,
        `run run-gone is Running but the process driving it (pid ${pid}) is gone; its log (${path.join(ws.runsDir, 'run-gone', 'driver.log')}) ends with:\n` +
          '  started\n  worker failed: out of luck\ncontinue it with: tributary resume run-gone',
      );
      return true;
    });
  });

  it('a driver replaced between two looks (the local host re-queued the run) is not reported', async () => {
    const watch = await runDrivenBy('run-taken-over', deadPid());
    await watch.check();
    await updateRunRecord(store, 'run-taken-over', () => lease(process.pid));
    await watch.check();
    await watch.check();
    // A second driver that dies is a new suspect: reported only at the look after the one that found it.
    await updateRunRecord(store, 'run-taken-over', () => lease(deadPid()));
    await watch.check();
    await assert.rejects(watch.check(), ConflictError);
  });

  it('says nothing for a run that ended, or whose worker is alive, or that no local worker was given', async () => {
    const ended = await runDrivenBy('run-ended', deadPid());
    await updateRunRecord(store, 'run-ended', () => ({ status: 'Completed' }));
    const alive = await runDrivenBy('run-alive', process.pid);
    await store.createRun(minimalRun('run-waiting'));
    const waiting = new DriverWatch(store, ws, 'run-waiting', 0);
    for (const watch of [ended, alive, waiting]) for (let i = 0; i < 3; i++) await watch.check();
  });
});
