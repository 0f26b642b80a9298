/**
 * A worker started before its run is recorded (what `tributary run` does): dismissed, it leaves
 * without a trace; given a run, it drives it and its log is the run's driver log; dead before it
 * was given one, another worker drives the run.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { stopAzurite } from '../../shared/datastore/azurite/azurite';
import { openStore } from '../../shared/local/open-store';
import { submitLocalRun } from '../../shared/local/submit-local-run';
import { WaitingWorker } from '../../shared/local/waiting-worker';
import { compilePipelineYamlText } from '../../shared/model/yaml/compile';
import { diskFiles } from '../../shared/model/yaml/files';
import { isTerminal } from '../../shared/store/records';
import type { RunStore } from '../../shared/store/run-store';
import { ensureWorkspace, resolveWorkspace, type Workspace } from '../../shared/workspace/workspace';
import { waitFor } from '../support/cli';
import { tempDir } from '../snapshot/helpers';
import { isProcessAlive } from '../../shared/util/process-alive';

const PIPELINE = 'type: pipeline\njobs:\n  hello:\n    type: command\n    command: echo hello\n';

const waitingLogs = (workspace: Workspace) => readdirSync(workspace.runsDir).filter((name) => name.startsWith('.waiting-worker-'));

describe('WaitingWorker', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let workspace: Workspace;
  let store: RunStore;

  beforeEach(async () => {
    tmp = await tempDir('waiting-worker');
    workspace = ensureWorkspace(resolveWorkspace(path.join(tmp.dir, '.tributary')));
    store = openStore(workspace);
  });
  afterEach(async () => {
    await store.close();
    await stopAzurite(workspace); // a run's worker starts the workspace's embedded Azurite
    await tmp.cleanup();
  });

  async function submit(worker: WaitingWorker) {
    const definition = await compilePipelineYamlText(PIPELINE, path.join(tmp.dir, 'p.yml'), diskFiles, { warn: () => undefined });
    const run = await submitLocalRun(workspace, store, { definition }, () => undefined, worker);
    const status = await waitFor('the run to end', async () => {
      const current = await store.getRunStatus(run.id);
      return current && isTerminal(current) && current;
    });
    return { run, status };
  }

  it('dismissed, exits and removes its log', async () => {
    const worker = WaitingWorker.start(workspace);
    const pid = worker.pid!;
    assert.equal(waitingLogs(workspace).length, 1);
    worker.dismiss();
    assert.equal(worker.pid, undefined);
    await waitFor('the worker to exit', () => !isProcessAlive(pid));
    assert.deepEqual(waitingLogs(workspace), []);
  });

  it('given a run, drives it; its log becomes the driver log and the run names it as its driver', async () => {
    const worker = WaitingWorker.start(workspace);
    const pid = worker.pid;
    const { run, status } = await submit(worker);
    assert.equal(status, 'Completed');
    assert.equal((await store.getRun(run.id))?.driver?.pid, pid);
    const log = path.join(workspace.runsDir, run.id, 'driver.log');
    await waitFor('the worker to log the end of the run', () => existsSync(log) && readFileSync(log, 'utf8').includes('finished: Completed'));
    assert.deepEqual(waitingLogs(workspace), []);
  });

  it('dead before it was given a run, is replaced by a new worker', async () => {
    const worker = WaitingWorker.start(workspace);
    const pid = worker.pid!;
    process.kill(pid, 'SIGKILL');
    await waitFor('the worker to die', () => worker.pid === undefined);
    const { run, status } = await submit(worker);
    assert.equal(status, 'Completed');
    assert.notEqual((await store.getRun(run.id))?.driver?.pid, pid);
    assert.deepEqual(waitingLogs(workspace), []);
  });
});
