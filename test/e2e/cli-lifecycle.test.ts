import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { openStore } from '../../shared/local/open-store';
import { resolveWorkspace } from '../../shared/workspace/workspace';
import { cli, cliAsync, json, project, waitFor } from '../support/cli';
import { isProcessAlive } from '../../shared/util/process-alive';
import type { ConflictError } from '../../shared/errors';
import { PipelineRun } from '../../sdk/run';
import { Workspace } from '../../sdk/workspace';

function stepsOf(cwd: string, runId: string): Record<string, any> {
  const view = json(cli(cwd, ['show', runId, '--json']));
  return Object.fromEntries(view.steps.map((s: any) => [s.name, s]));
}

/** The worker process driving the run, as the run record names it. */
async function workerPid(cwd: string, runId: string): Promise<number | undefined> {
  const store = openStore(resolveWorkspace(path.join(cwd, '.tributary')));
  try {
    return (await store.getRun(runId))?.driver?.pid;
  } finally {
    await store.close();
  }
}

/** A pipeline of one step that writes its pid to `pid` in its working folder, then sleeps a minute. */
const LONG_STEP = { 'p.yml': 'type: pipeline\njobs:\n  long:\n    type: command\n    command: echo $$ > pid; sleep 60\n' };

/** Once the LONG_STEP run's step runs, kills the run's worker with -9; the step process is left orphaned. */
async function killWorkerOfLongStep(cwd: string, runId: string): Promise<{ stepPid: number; worker: number }> {
  const pidFile = path.join(cwd, '.tributary', 'runs', runId, 'long', 'attempt-1.work', 'pid');
  const stepPid = await waitFor('the step to write its pid', () => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')));
  const worker = await waitFor('the worker pid', () => workerPid(cwd, runId));
  process.kill(worker, 'SIGKILL');
  await waitFor('the worker to die', () => !isProcessAlive(worker));
  return { stepPid, worker };
}

describe('run lifecycle: resume after kill -9, cancel, detach, follow, two CLIs', () => {
  it('resumes a run whose worker was killed with -9 without re-running completed steps', async () => {
    const cwd = project({});
    const marks = path.join(cwd, 'marks');
    mkdirSync(marks);
    const sleepFile = path.join(marks, 'sleep');
    writeFileSync(
      path.join(cwd, 'p.yml'),
      `type: pipeline
jobs:
  first:
    type: command
    command: echo ran >> ${marks}/first
  slow:
    type: command
    command: echo ran >> ${marks}/slow; sleep "$(cat ${sleepFile} 2>/dev/null || echo 30)"; echo done > \${{outputs.o}}/done
    outputs:
      o:
        type: uri_folder
  last:
    type: command
    command: echo ran >> ${marks}/last; ls \${{inputs.x}}
    inputs:
      x: \${{parent.jobs.slow.outputs.o}}
`,
    );

    const started = json(cli(cwd, ['run', 'p.yml', '--detach', '--json']));
    const runId: string = started.id;
    await waitFor('slow to be running', () => stepsOf(cwd, runId).slow.status === 'Running' && stepsOf(cwd, runId).first.status === 'Completed');
    const pid = await waitFor('the worker pid', () => workerPid(cwd, runId));
    process.kill(pid, 'SIGKILL');
    await waitFor('the worker to die', () => !isProcessAlive(pid));

    const shown = cli(cwd, ['show', runId]);
    assert.match(shown.stdout, /tributary resume/);
    writeFileSync(sleepFile, '0');
    const resumed = cli(cwd, ['resume', runId, '--json']);
    assert.equal(resumed.code, 0, resumed.stderr + resumed.stdout);
    const view = json(resumed);
    assert.equal(view.status, 'Completed');
    const steps = Object.fromEntries(view.steps.map((s: any) => [s.name, s]));
    assert.equal(steps.first.attempt, 1);
    assert.equal(readFileSync(path.join(marks, 'first'), 'utf8'), 'ran\n', 'completed step did not run again');
    assert.equal(steps.slow.attempt, 2, 'the interrupted step ran again as a new attempt');
    assert.equal(readFileSync(path.join(marks, 'last'), 'utf8'), 'ran\n');
  });

  it('cancels a running run: the step process is stopped and the run ends Canceled', async () => {
    const cwd = project(LONG_STEP);
    const { id } = json(cli(cwd, ['run', 'p.yml', '--detach', '--json']));
    await waitFor('long to be running', () => stepsOf(cwd, id).long.status === 'Running');
    const workDir = path.join(cwd, '.tributary', 'runs', id, 'long', 'attempt-1.work');
    const pidFile = path.join(workDir, 'pid');
    const stepPid = await waitFor('the step to write its pid', () => existsSync(pidFile) && Number(readFileSync(pidFile, 'utf8')));
    const r = cli(cwd, ['cancel', id]);
    assert.equal(r.code, 0);
    const watched = cli(cwd, ['watch', id, '--json']);
    assert.equal(watched.code, 1);
    const view = json(watched);
    assert.equal(view.status, 'Canceled');
    assert.equal(view.steps[0].status, 'Canceled');
    await waitFor('the step process to be gone', () => !isProcessAlive(stepPid), 15_000);
  });

  it('cancel of a run whose worker died stops the orphaned step and closes the run', async () => {
    const cwd = project(LONG_STEP);
    const { id } = json(cli(cwd, ['run', 'p.yml', '--detach', '--json']));
    const { stepPid } = await killWorkerOfLongStep(cwd, id);
    assert.equal(cli(cwd, ['cancel', id]).code, 0);
    const view = json(cli(cwd, ['show', id, '--json']));
    assert.equal(view.status, 'Canceled');
    assert.equal(view.steps[0].status, 'Canceled');
    await waitFor('the orphaned step process to be gone', () => !isProcessAlive(stepPid), 15_000);
  });

  it('a run whose worker dies while the CLI waits: the CLI stops waiting and says how to resume', async () => {
    const cwd = project(LONG_STEP);
    const child = cliAsync(cwd, ['run', 'p.yml']);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const runId = await waitFor('the run id', () => /Run (\S+) submitted/.exec(stdout)?.[1]);
    const { stepPid, worker } = await killWorkerOfLongStep(cwd, runId);
    const code = await Promise.race([exited, new Promise<'waiting'>((resolve) => setTimeout(() => resolve('waiting'), 15_000))]);
    if (code === 'waiting') child.kill('SIGKILL');
    assert.equal(code, 1, `the CLI stopped waiting with a failure exit code\n${stderr}`);
    assert.match(stderr, new RegExp(`run ${runId} is Running but the process driving it \\(pid ${worker}\\) is gone`));
    assert.match(stderr, new RegExp(`continue it with: tributary resume ${runId}`));
    assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
    const follow = cli(cwd, ['logs', runId, 'long', '--follow']);
    assert.equal(follow.code, 1, 'logs --follow stops once the driver is gone');
    assert.match(follow.stderr, new RegExp(`continue it with: tributary resume ${runId}`));
    // The orphaned step is still there until the run is canceled (or resumed).
    assert.equal(cli(cwd, ['cancel', runId]).code, 0);
    await waitFor('the orphaned step process to be gone', () => !isProcessAlive(stepPid), 15_000);
  });

  it('the SDK stops waiting for a run whose worker died, naming tributary resume', async () => {
    const cwd = project(LONG_STEP);
    const { id } = json(cli(cwd, ['run', 'p.yml', '--detach', '--json']));
    const { stepPid, worker } = await killWorkerOfLongStep(cwd, id);
    const run = await PipelineRun.get(new Workspace({ folder: path.join(cwd, '.tributary') }), id);
    await assert.rejects(run.waitForCompletion({ timeoutMs: 15_000 }), (err: Error) => {
      assert.equal((err as ConflictError).code, 'Conflict');
      assert.match(err.message, new RegExp(`process driving it \\(pid ${worker}\\) is gone.*continue it with: tributary resume ${id}`, 's'));
      return true;
    });
    assert.equal(cli(cwd, ['cancel', id]).code, 0);
    await waitFor('the orphaned step process to be gone', () => !isProcessAlive(stepPid), 15_000);
  });

  it('datastore stop-azurite refuses while a run in the workspace is being driven, and stops Azurite once it ended', async () => {
    const cwd = project(LONG_STEP);
    const { id } = json(cli(cwd, ['run', 'p.yml', '--detach', '--json']));
    const pidFile = path.join(cwd, '.tributary', 'runs', id, 'long', 'attempt-1.work', 'pid');
    await waitFor('the step to start', () => existsSync(pidFile));
    const refused = cli(cwd, ['datastore', 'stop-azurite']);
    assert.notEqual(refused.code, 0);
    assert.equal(refused.stderr, `error: run ${id} is being driven in this workspace and keeps its data on the workspace's Azurite; wait for it to end, cancel it (tributary cancel ${id}), or stop Azurite anyway with --force\n`);
    assert.equal(cli(cwd, ['cancel', id]).code, 0);
    await waitFor('the run to end', () => json(cli(cwd, ['show', id, '--json'])).status === 'Canceled', 30_000);
    const stopped = cli(cwd, ['datastore', 'stop-azurite']);
    assert.equal(stopped.code, 0, stopped.stderr);
  });

  it('Ctrl-C while watching detaches, says how to re-attach, and the run goes on', async () => {
    const cwd = project({ 'p.yml': 'type: pipeline\njobs:\n  a:\n    type: command\n    command: sleep 1; echo finished\n' });
    const child = cliAsync(cwd, ['run', 'p.yml']);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d) => (stdout += d));
    child.stderr!.on('data', (d) => (stderr += d));
    await waitFor('the first progress line', () => /Run (\S+) submitted[\s\S]*\ba\b/.test(stdout));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    assert.equal(code, 130);
    const runId = /Run (\S+) submitted/.exec(stdout)![1]!;
    assert.match(stderr, new RegExp(`re-attach: tributary watch ${runId}`));
    assert.match(stderr, new RegExp(`cancel: +tributary cancel ${runId}`));
    const view = json(cli(cwd, ['watch', runId, '--json']));
    assert.equal(view.status, 'Completed');
  });

  it('logs --follow streams a step until it ends', () => {
    const cwd = project({ 'p.yml': 'type: pipeline\njobs:\n  talk:\n    type: command\n    command: for i in 1 2 3; do echo line-$i; sleep 0.3; done; echo oops >&2\n' });
    const { id } = json(cli(cwd, ['run', 'p.yml', '--detach', '--json']));
    const r = cli(cwd, ['logs', id, 'talk', '--follow']);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, 'line-1\nline-2\nline-3\n');
    assert.equal(r.stderr, 'oops\n');
  });

  it('two CLIs running pipelines in one workspace at once keep a consistent history', async () => {
    const cwd = project({
      'a.yml': 'type: pipeline\nexperiment_name: alpha\njobs:\n  s1:\n    type: command\n    command: sleep 0.2\n  s2:\n    type: command\n    command: sleep 0.2\n',
      'b.yml': 'type: pipeline\nexperiment_name: beta\njobs:\n  s1:\n    type: command\n    command: sleep 0.2\n  s2:\n    type: command\n    command: sleep 0.2\n',
    });
    const runOne = (file: string) =>
      new Promise<number | null>((resolve) => cliAsync(cwd, ['run', file, '--json']).on('exit', resolve));
    const codes = await Promise.all([runOne('a.yml'), runOne('b.yml'), runOne('a.yml')]);
    assert.deepEqual(codes, [0, 0, 0]);
    const runs = json(cli(cwd, ['runs', '--json'])).runs;
    assert.equal(runs.length, 3);
    assert.ok(runs.every((r: any) => r.status === 'Completed'));
    assert.ok(existsSync(path.join(cwd, '.tributary', 'history.db')));
  });
});
