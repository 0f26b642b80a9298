import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { stepInstanceId } from '../../functions/durable/names';
import { compilePipelineYaml } from '../../shared/model/yaml/compile';
import { mapComputes } from '../../shared/runs/submit-run';
import { outputFolder } from '../../shared/workspace/workspace';
import { createTestApp } from './harness/local-app';
import { pipeline, step } from './harness/pipelines';

const LONG_POLL = { pollWaitMs: 5000, initialDelayMs: 1000, maxDelayMs: 8000 };
const IRIS = path.resolve(__dirname, '..', '..', '..', 'examples', 'iris', 'pipeline.yml');

describe('a pipeline run through the Durable code path', () => {
  it('runs a fan-out/fan-in of real shell steps to completion, each attempt submitted once', async () => {
    const app = await createTestApp({ monitor: LONG_POLL });
    try {
      const definition = pipeline('shell-fan', [
        step('source', 'echo hello > ${{outputs.out}}/value.txt'),
        step('upper', 'tr a-z A-Z < ${{inputs.data}}/value.txt > ${{outputs.out}}/value.txt', { data: 'source' }),
        step('reverse', 'rev < ${{inputs.data}}/value.txt > ${{outputs.out}}/value.txt', { data: 'source' }),
        step('join', 'cat ${{inputs.a}}/value.txt ${{inputs.b}}/value.txt > ${{outputs.out}}/value.txt', { a: 'upper', b: 'reverse' }),
      ]);
      const runId = await app.submit(definition);
      await app.harness.runUntilIdle();

      const run = await app.store.getRun(runId);
      assert.equal(run?.status, 'Completed', run?.statusReason);
      const joined = await readFile(path.join(outputFolder(app.workspace, runId, 'join', 'out'), 'value.txt'), 'utf8');
      assert.equal(joined, 'HELLO\nolleh\n');
      assert.deepEqual([...app.harness.submissions.values()], [1, 1, 1, 1]);
      assert.equal(app.harness.instance(runId)?.status, 'Completed');
      for (const name of Object.keys(definition.steps)) assert.equal(app.harness.instance(stepInstanceId(runId, name))?.status, 'Completed');
    } finally {
      await app.close();
    }
  });

  it('runs the Iris example pipeline (Azure ML YAML) end to end on local processes', async () => {
    const app = await createTestApp({ monitor: LONG_POLL });
    try {
      const definition = mapComputes(await compilePipelineYaml(IRIS, { warn: () => undefined }), { 'azureml:cpu-cluster': 'local' });
      const runId = await app.submit(definition);
      await app.harness.runUntilIdle();

      const run = await app.store.getRun(runId);
      assert.equal(run?.status, 'Completed', run?.statusReason);
      const steps = await app.store.listStepRuns(runId);
      assert.deepEqual(steps.map((s) => `${s.step}:${s.status}`).sort(), ['compare:Completed', 'prep:Completed', 'train_knn:Completed', 'train_softmax:Completed']);
      assert.deepEqual([...app.harness.submissions.values()], [1, 1, 1, 1]);
      const metrics = await app.store.listMetrics(runId);
      assert.ok(metrics.some((m) => m.name.includes('accuracy')), `metrics: ${metrics.map((m) => m.name).join(', ')}`);
    } finally {
      await app.close();
    }
  });
});
