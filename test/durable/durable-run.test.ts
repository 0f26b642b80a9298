import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import { stepInstanceId } from '../../functions/durable/names';
import { outputFolder } from '../../shared/workspace/workspace';
import { createTestApp } from './harness/local-app';
import { pipeline, step } from './harness/pipelines';

const LONG_POLL = { pollWaitMs: 5000, initialDelayMs: 1000, maxDelayMs: 8000 };

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
});
