import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DagProgress } from '../../shared/orchestration/dag-progress';
import type { RunPlan, StepOutcome } from '../../shared/orchestration/messages';

const done = (step: string, status: StepOutcome['status'] = 'Completed'): StepOutcome => ({ step, status, reused: false });

/** source → m_0..m_(n-1) → sink, and an independent `alone`. */
function fanPlan(n: number, continueOnStepFailure = true): RunPlan {
  const middle = Array.from({ length: n }, (_, i) => `m_${i}`);
  return {
    steps: [{ name: 'source', after: [] }, ...middle.map((name) => ({ name, after: ['source'] })), { name: 'sink', after: middle }, { name: 'alone', after: [] }],
    continueOnStepFailure,
    finished: [],
  };
}

/** Through JSON, as a continue-as-new input travels. */
const roundTrip = (dag: DagProgress): DagProgress => DagProgress.restore(JSON.parse(JSON.stringify(dag.snapshot())));

describe('DagProgress snapshots (carried across Durable generations)', () => {
  it('a walk restored from a snapshot at every point behaves exactly like the uninterrupted walk', () => {
    const walk = (restoreEvery: boolean): string[] => {
      const log: string[] = [];
      let dag = new DagProgress(fanPlan(5));
      const next = (): void => {
        if (restoreEvery) dag = roundTrip(dag);
      };
      log.push(...dag.takeReady());
      for (const step of ['source', 'm_0', 'alone', 'm_1', 'm_2', 'm_3', 'm_4', 'sink']) {
        next();
        const result = dag.record(done(step, step === 'm_2' ? 'Failed' : 'Completed'));
        next();
        log.push(`${step}: ${JSON.stringify(result)} running=${dag.runningCount} done=${dag.isDone()}`, ...dag.takeReady());
      }
      return log;
    };
    assert.deepEqual(walk(true), walk(false));
  });

  it('takeReadyRefs(limit) keeps the rest ready, in order, also across a snapshot', () => {
    const dag = new DagProgress(fanPlan(5));
    dag.takeReady();
    dag.record(done('source'));
    assert.deepEqual(dag.takeReadyRefs(2), [
      { step: 'm_0', index: 1 },
      { step: 'm_1', index: 2 },
    ]);
    assert.equal(dag.readyCount, 3);
    const restored = roundTrip(dag);
    assert.deepEqual(restored.takeReady(), ['m_2', 'm_3', 'm_4']);
    assert.deepEqual(restored.runningSteps(), ['m_0', 'm_1', 'm_2', 'm_3', 'm_4', 'alone']);
  });

  it('records an outcome by its plan index, and falls back to the name when the index is wrong', () => {
    const dag = new DagProgress(fanPlan(3));
    dag.takeReady();
    dag.record(done('source'), 0);
    dag.takeReady();
    dag.record(done('m_1'), 99); // out of range
    dag.record(done('m_0'), 3); // index of m_2
    assert.deepEqual(dag.runningSteps(), ['m_2', 'alone']);
    assert.equal(dag.runningCount, 2);
  });

  it('stays compact: about 22 bytes per step for a 2,000-step fan-out (16-bit words)', () => {
    const snapshot = new DagProgress(fanPlan(2000)).snapshot();
    assert.equal(snapshot.wordBytes, 2);
    const bytes = JSON.stringify(snapshot).length;
    assert.ok(bytes < 23 * 2000, `${bytes} bytes`);
  });

  it('uses 32-bit words when the numbers do not fit in 16 bits', () => {
    const names = Array.from({ length: 3000 }, (_, i) => `a_very_long_step_name_of_a_generated_pipeline_${i}`);
    const plan: RunPlan = { steps: names.map((name) => ({ name, after: [] })), continueOnStepFailure: false, finished: [] };
    const snapshot = new DagProgress(plan).snapshot();
    assert.equal(snapshot.wordBytes, 4);
    assert.equal(DagProgress.restore(snapshot).takeReady().length, 3000);
  });
});
