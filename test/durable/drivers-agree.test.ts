import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ComputeRegistry } from '../../functions/durable/compute-registry';
import { createActivities } from '../../shared/activities/create-activities';
import { CopyWorkDir } from '../../shared/activities/work-dir';
import { LocalFolderDataPlane } from '../../shared/datastore/local-folder-data-plane';
import type { PipelineDefinition } from '../../shared/model/definition';
import { LocalDriver } from '../../shared/orchestration/local-driver';
import { submitRun } from '../../shared/runs/submit-run';
import type { RunStore } from '../../shared/store/run-store';
import { SqliteRunStore } from '../../shared/store/sqlite/sqlite-run-store';
import { ensureWorkspace, resolveWorkspace } from '../../shared/workspace/workspace';
import { FakeInstantCompute } from './harness/fake-compute';
import { createTestApp, PYTHON_HELPER_DIR, TEST_MONITOR } from './harness/local-app';
import { fanOut, pipeline, step } from './harness/pipelines';

/** Step `fail_always` fails every attempt; `fail_once` and `fail_hard` fail their first. */
const exitCode = (jobId: string): number => (/\.fail_always\.\d+$|\.fail_(once|hard)\.1$/.test(jobId) ? 3 : 0);
const fake = (): FakeInstantCompute => new FakeInstantCompute('fake', (job) => job.length % 3, exitCode);

/** What a finished run looks like in the store, without ids and times. */
async function summary(store: RunStore, runId: string): Promise<unknown> {
  const run = await store.getRun(runId);
  const steps = await store.listStepRuns(runId);
  return {
    status: run?.status,
    reason: run?.statusReason,
    steps: steps.map((s) => `${s.step}: ${s.status} attempt ${s.attempt}${s.statusReason ? ` (${s.statusReason})` : ''}`).sort(),
  };
}

async function viaLocalDriver(definition: PipelineDefinition): Promise<unknown> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'tributary-local-driver-'));
  const workspace = ensureWorkspace(resolveWorkspace(path.join(dir, 'ws')));
  const store = SqliteRunStore.open(workspace.historyDb);
  try {
    const computes = new ComputeRegistry(new Map([['fake', fake()]]));
    const activities = createActivities({ store, computes, data: new LocalFolderDataPlane(), workspace, workDirs: new CopyWorkDir(), pythonHelperDir: PYTHON_HELPER_DIR });
    const run = await submitRun(store, { definition, knownComputes: computes.known(), runId: 'same-run', options: { source: 'test' } });
    await new LocalDriver(activities).run({ runId: run.id, monitor: { ...TEST_MONITOR, initialDelayMs: 0 } });
    return await summary(store, run.id);
  } finally {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
}

async function viaDurable(definition: PipelineDefinition): Promise<unknown> {
  const app = await createTestApp({ computes: { fake: fake() } });
  try {
    const runId = await app.submit(definition, 'same-run');
    await app.harness.runUntilIdle();
    return await summary(app.store, runId);
  } finally {
    await app.close();
  }
}

const f = { compute: 'fake' };
const retried = { ...f, retry: { maxAttempts: 2, initialDelaySeconds: 0 } };

describe('the local driver and the Durable path run the same generators to the same result', () => {
  const cases: [string, PipelineDefinition][] = [
    [
      'failures, retries and skips, continuing on step failure',
      pipeline(
        'mixed',
        [
          step('source', 'true', {}, f),
          step('fail_once', 'true', { data: 'source' }, retried),
          step('fail_always', 'true', { data: 'source' }, retried),
          step('after_ok', 'true', { data: 'fail_once' }, f),
          step('after_bad', 'true', { data: 'fail_always' }, f),
          step('alone', 'true', {}, f),
        ],
        true,
      ),
    ],
    ['a failure stopping the run', pipeline('stop', [step('source', 'true', {}, f), step('fail_hard', 'true', { data: 'source' }, f), step('later', 'true', { data: 'fail_hard' }, f)])],
    ['a fan-out of 150 steps (generations and the running-steps window)', fanOut(150, 'fake')],
  ];
  for (const [name, definition] of cases) {
    it(name, async () => {
      const local = await viaLocalDriver(definition);
      assert.deepEqual(await viaDurable(definition), local);
    });
  }
});
