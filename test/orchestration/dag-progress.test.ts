import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DagProgress } from '../../shared/orchestration/dag-progress';
import type { RunPlan, StepOutcome } from '../../shared/orchestration/messages';

// prep → (a, b) → join; c independent
const plan = (continueOnStepFailure = false): RunPlan => ({
  steps: [
    { name: 'prep', after: [] },
    { name: 'a', after: ['prep'] },
    { name: 'b', after: ['prep'] },
    { name: 'join', after: ['a', 'b'] },
    { name: 'c', after: [] },
  ],
  continueOnStepFailure,
  finished: [],
});
const done = (step: string, status: StepOutcome['status'] = 'Completed'): StepOutcome => ({ step, status, reused: false });

describe('DagProgress', () => {
  it('fans out when a step completes and fans in when all upstream steps complete', () => {
    const dag = new DagProgress(plan());
    assert.deepEqual(dag.takeReady(), ['prep', 'c']);
    assert.deepEqual(dag.takeReady(), []);
    dag.record(done('prep'));
    assert.deepEqual(dag.takeReady(), ['a', 'b']);
    dag.record(done('a'));
    assert.deepEqual(dag.takeReady(), [], 'join waits for b');
    dag.record(done('b'));
    assert.deepEqual(dag.takeReady(), ['join']);
    dag.record(done('join'));
    dag.record(done('c'));
    assert.equal(dag.isDone(), true);
  });

  it('skips only the downstream steps of a failure when continuing on step failure', () => {
    const dag = new DagProgress(plan(true));
    dag.takeReady();
    dag.record(done('prep'));
    dag.takeReady();
    const result = dag.record(done('a', 'Failed'));
    assert.deepEqual(result, { skipped: ['join'], stopped: [], stopRun: false });
    dag.record(done('b'));
    assert.deepEqual(dag.takeReady(), []);
    assert.equal(dag.isDone(), false, 'c is still running');
    dag.record(done('c'));
    assert.equal(dag.isDone(), true);
  });

  it('stops the run on a failure when not continuing: every pending step is skipped', () => {
    const dag = new DagProgress(plan(false));
    dag.takeReady();
    const result = dag.record(done('prep', 'Failed'));
    assert.deepEqual({ ...result, skipped: [...result.skipped].sort() }, { skipped: ['a', 'b', 'join'], stopped: [], stopRun: true });
    assert.deepEqual(dag.runningSteps(), ['c']);
    assert.deepEqual(dag.takeReady(), []);
  });

  it('tells the steps the run stopped for apart from those downstream of the failure', () => {
    const dag = new DagProgress(plan(false));
    dag.takeReady();
    assert.deepEqual(dag.record(done('c', 'Failed')), { skipped: [], stopped: ['a', 'b', 'join'], stopRun: true });
    assert.deepEqual(dag.runningSteps(), ['prep']);
  });

  it('treats outcomes known before a resume as finished and never starts them again', () => {
    const dag = new DagProgress(plan());
    dag.record(done('prep'));
    dag.record(done('c'));
    assert.deepEqual(dag.takeReady(), ['a', 'b']);
  });

  it('ignores a second outcome for the same step', () => {
    const dag = new DagProgress(plan());
    dag.takeReady();
    dag.record(done('prep'));
    assert.deepEqual(dag.record(done('prep', 'Failed')), { skipped: [], stopped: [], stopRun: false });
    assert.deepEqual(dag.takeReady(), ['a', 'b']);
  });
});
