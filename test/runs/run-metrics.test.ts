import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runMetrics } from '../../shared/runs/run-metrics';
import type { MetricRecord } from '../../shared/store/records';
import { SqliteRunStore } from '../../shared/store/sqlite/sqlite-run-store';
import { at, newStepRun } from '../store/run-store-contract';

const metric = (runId: string, step: string, name: string, value: number, index?: number): MetricRecord => ({
  runId, step, name, value, loggedAt: at(index ?? 0), ...(index === undefined ? {} : { index }),
});

describe('runMetrics: a reused step shows the metrics of the step run it reused', () => {
  let dir: string;
  let store: SqliteRunStore;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'tributary-metrics-'));
    store = SqliteRunStore.open(path.join(dir, 'runs.db'));
    // run-1 ran every step; run-2 reused prep and train (train under a new name, fit) and ran report.
    for (const step of ['prep', 'train', 'report']) await store.putStepRun(newStepRun('run-1', step, { reused: false, reusedFrom: undefined }));
    await store.putStepRun(newStepRun('run-2', 'prep', { reused: true, reusedFrom: { runId: 'run-1', step: 'prep' } }));
    await store.putStepRun(newStepRun('run-2', 'fit', { reused: true, reusedFrom: { runId: 'run-1', step: 'train' } }));
    await store.putStepRun(newStepRun('run-2', 'report', { reused: false, reusedFrom: undefined }));
    await store.addMetrics([
      metric('run-1', 'prep', 'rows', 150),
      metric('run-1', 'train', 'loss', 0.9, 0),
      metric('run-1', 'train', 'loss', 0.4, 1),
      metric('run-1', 'report', 'accuracy', 0.91),
      metric('run-2', 'report', 'accuracy', 0.95),
    ]);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("lists the run's own metrics and its reused steps' under their names here, in step order, each naming the run that logged it", async () => {
    const rows = (await runMetrics(store, 'run-2')).map((m) => [m.runId, m.step, m.name, m.value, m.index]);
    assert.deepEqual(rows, [
      ['run-1', 'prep', 'rows', 150, undefined],
      ['run-1', 'fit', 'loss', 0.9, 0],
      ['run-1', 'fit', 'loss', 0.4, 1],
      ['run-2', 'report', 'accuracy', 0.95, undefined],
    ]);
  });

  it("one step's metrics, reused or not; a run without reused steps is as the store has it", async () => {
    assert.deepEqual((await runMetrics(store, 'run-2', 'fit')).map((m) => m.value), [0.9, 0.4]);
    assert.deepEqual((await runMetrics(store, 'run-2', 'report')).map((m) => [m.runId, m.value]), [['run-2', 0.95]]);
    assert.deepEqual(await runMetrics(store, 'run-2', 'no-such-step'), []);
    assert.deepEqual(await runMetrics(store, 'run-1'), await store.listMetrics('run-1'));
  });
});
