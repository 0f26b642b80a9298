import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { cli, json, project, REPO } from '../support/cli';

describe('tributary run (end to end, local processes)', () => {
  it('runs the Iris example: fan-out and fan-in, history, metrics, logs', () => {
    const cwd = project({});
    const run = cli(cwd, ['run', path.join(REPO, 'examples/iris/pipeline.yml'), '--compute', 'azureml:cpu-cluster=local', '--json']);
    assert.equal(run.code, 0, run.stderr);
    const view = json(run);
    assert.equal(view.status, 'Completed');
    assert.deepEqual(
      view.steps.map((s: any) => [s.name, s.status]),
      [
        ['prep', 'Completed'],
        ['train_knn', 'Completed'],
        ['train_softmax', 'Completed'],
        ['compare', 'Completed'],
      ],
    );
    for (const s of view.steps) assert.equal(typeof s.durationMs, 'number');
    const knn = view.steps.find((s: any) => s.name === 'train_knn');
    const compare = view.steps.find((s: any) => s.name === 'compare');
    assert.ok(Date.parse(compare.startedAt) >= Date.parse(knn.endedAt), 'compare starts after its inputs are ready');

    assert.equal(view.outputs.best_model.uri, compare.outputs.best.uri, 'the pipeline-level output is bound to compare.best');
    const shown = json(cli(cwd, ['show', view.id, '--json']));
    assert.ok(shown.metrics.some((m: any) => m.step === 'compare' && m.name === 'best_test_accuracy'));
    assert.match(compare.outputs.best.uri, new RegExp(`^azureml://datastores/workspaceblobstore/paths/azureml/${view.id}/compare/outputs/best$`));
    assert.equal(cli(cwd, ['download', view.id, '--step', 'compare', '--to', path.join(cwd, 'dl')]).code, 0);
    const report = JSON.parse(readFileSync(path.join(cwd, 'dl', view.id, 'compare', 'outputs', 'best', 'report.json'), 'utf8'));
    assert.ok(['knn', 'softmax'].includes(report.best));

    const logs = cli(cwd, ['logs', view.id, 'compare']);
    assert.match(logs.stdout, /best model: (knn|softmax)/);
    const runs = json(cli(cwd, ['runs', '--experiment', 'iris-example', '--json']));
    assert.equal(runs.runs[0].id, view.id);

    // Run again: every step is reused, and shows the metrics of the run it reused.
    const again = json(cli(cwd, ['run', path.join(REPO, 'examples/iris/pipeline.yml'), '--compute', 'azureml:cpu-cluster=local', '--json']));
    assert.ok(again.steps.every((s: any) => s.reused && s.reusedFrom === view.id), JSON.stringify(again.steps));
    const reshown = json(cli(cwd, ['show', again.id, '--json']));
    const best = reshown.metrics.find((m: any) => m.step === 'compare' && m.name === 'best_test_accuracy');
    assert.deepEqual(best, { ...shown.metrics.find((m: any) => m.step === 'compare' && m.name === 'best_test_accuracy'), fromRunId: view.id });
    assert.equal(reshown.metrics.length, shown.metrics.length);
  });

  it('hands a multi-megabyte output (hashed on the worker threads) to the next step, and reuses both on a second run', () => {
    const cwd = project({
      'p.yml': `type: pipeline
jobs:
  make:
    type: command
    command: head -c 3000000 /dev/urandom > \${{outputs.o}}/blob
    outputs:
      o:
        type: uri_folder
  count:
    type: command
    command: wc -c < \${{inputs.x}}/blob
    inputs:
      x: \${{parent.jobs.make.outputs.o}}
`,
    });
    const first = json(cli(cwd, ['run', 'p.yml', '--json']));
    assert.equal(first.status, 'Completed', JSON.stringify(first.steps));
    assert.match(first.steps[0].outputs.o.fingerprint, /^[0-9a-f]{64}$/);
    assert.equal(cli(cwd, ['logs', first.id, 'count']).stdout.trim(), '3000000');
    const again = json(cli(cwd, ['run', 'p.yml', '--json']));
    assert.deepEqual(again.steps.map((s: any) => s.reused), [true, true]);
  });

  it('fails the run with a non-zero exit, skips downstream steps and says why', () => {
    const cwd = project({
      'p.yml': `type: pipeline
jobs:
  a:
    type: command
    command: sleep 1; echo a-ran > \${{outputs.o}}/a
    outputs:
      o:
        type: uri_folder
  later:
    type: command
    command: cat \${{inputs.x}}/a
    inputs:
      x: \${{parent.jobs.a.outputs.o}}
  boom:
    type: command
    command: echo about to fail >&2; exit 3
    outputs:
      o:
        type: uri_folder
  after:
    type: command
    command: echo \${{inputs.x}}
    inputs:
      x: \${{parent.jobs.boom.outputs.o}}
`,
    });
    const r = cli(cwd, ['run', 'p.yml', '--json']);
    assert.equal(r.code, 1);
    const view = json(r);
    assert.equal(view.status, 'Failed');
    const byName = Object.fromEntries(view.steps.map((s: any) => [s.name, s]));
    assert.equal(byName.boom.status, 'Failed');
    assert.equal(byName.boom.exitCode, 3);
    assert.equal(byName.after.status, 'Canceled');
    assert.match(byName.after.statusReason, /upstream step "boom" failed/);
    assert.equal(byName.a.status, 'Canceled', 'a running step is stopped with the run');
    assert.equal(byName.later.statusReason, 'not started: the run stopped: step "boom" failed and continue_on_step_failure is off');
    assert.match(cli(cwd, ['logs', view.id, 'boom']).stderr, /about to fail/);
    const noSuchAttempt = cli(cwd, ['logs', view.id, 'boom', '--attempt', '2']);
    assert.notEqual(noSuchAttempt.code, 0);
    assert.match(noSuchAttempt.stderr, /step "boom" of run \S+ had 1 attempt \(use --attempt 1\)/);
    assert.match(cli(cwd, ['logs', view.id, 'after']).stderr, /step "after" never started: .*upstream step "boom" failed/);
  });

  it('continues independent branches with continue_on_step_failure', () => {
    const cwd = project({
      'p.yml': `type: pipeline
settings:
  continue_on_step_failure: true
jobs:
  slow_ok:
    type: command
    command: sleep 0.5; echo fine
  boom:
    type: command
    command: exit 1
`,
    });
    const view = json(cli(cwd, ['run', 'p.yml', '--json']));
    assert.equal(view.status, 'Failed');
    assert.equal(view.steps.find((s: any) => s.name === 'slow_ok').status, 'Completed');
  });

  it('rejects bad pipelines with a clear message, no stack trace, and stores nothing', () => {
    const cwd = project({ 'bad.yml': 'type: pipeline\njobs:\n  a:\n    type: command\n    comand: echo hi\n', 'broken.yml': 'jobs: [\n' });
    const unknownKey = cli(cwd, ['run', 'bad.yml']);
    assert.equal(unknownKey.code, 2);
    assert.match(unknownKey.stderr, /bad\.yml:5.*comand.*did you mean "command"/);
    assert.doesNotMatch(unknownKey.stderr, /at .*\.js:\d+/);
    assert.ok(!existsSync(path.join(cwd, '.tributary')), 'a rejected pipeline leaves no new workspace behind');
    const malformed = cli(cwd, ['run', 'broken.yml']);
    assert.equal(malformed.code, 2);
    assert.match(malformed.stderr, /broken\.yml:\d+/);
    const unknownCompute = project({ 'p.yml': 'type: pipeline\njobs:\n  a:\n    type: command\n    command: "true"\n    compute: azureml:gpu\n' });
    const r = cli(unknownCompute, ['run', 'p.yml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--compute azureml:gpu=local/);
    assert.equal(json(cli(unknownCompute, ['runs', '--json'])).runs.length, 0);
    const unwritable = cli(cwd, ['run', 'bad.yml', '--workspace', path.join(cwd, 'bad.yml', 'ws')]);
    assert.equal(unwritable.code, 2);
    assert.match(unwritable.stderr, /cannot create the workspace folder .*bad\.yml\/ws: part of that path is a file; point --workspace or TRIBUTARY_WORKSPACE/);
    const unregistered = project({
      'p.yml': 'type: pipeline\ninputs:\n  d:\n    type: uri_folder\n    path: azureml://datastores/lake/paths/x\njobs:\n  a:\n    type: command\n    command: ls ${{inputs.d}} ${{inputs.e}}\n    inputs:\n      d: ${{parent.inputs.d}}\n      e:\n        type: uri_file\n        path: azureml://datastores/lake/paths/y.csv\n',
    });
    const notRegistered = cli(unregistered, ['run', 'p.yml']);
    assert.equal(notRegistered.code, 2, notRegistered.stderr);
    assert.match(notRegistered.stderr, /p\.yml:\d+: steps\.a\.inputs\.e: datastore "lake" is not registered \(known: workspaceblobstore; register it with: tributary datastore register lake --container CONTAINER\)/);
    assert.match(notRegistered.stderr, /p\.yml: inputs\.d: datastore "lake" is not registered/);
    assert.equal(json(cli(unregistered, ['runs', '--json'])).runs.length, 0);
    const extra = cli(cwd, ['run', 'bad.yml', 'broken.yml']);
    assert.equal(extra.code, 2);
    assert.match(extra.stderr, /^error: unexpected argument "broken\.yml"\nusage: tributary run /);
    const escape = cli(cwd, ['show', 'run\u001b[2Jx']);
    assert.equal(escape.stderr, 'error: run "run\\u001b[2Jx" does not exist (list runs with: tributary runs)\n', 'control characters in a name are shown escaped');
  });

  it('applies --set overrides and rejects unknown or mistyped ones', () => {
    const cwd = project({
      'p.yml': `type: pipeline
inputs:
  n: 2
jobs:
  a:
    type: command
    command: echo n=\${{inputs.n}}
    inputs:
      n: \${{parent.inputs.n}}
`,
    });
    const ok = json(cli(cwd, ['run', 'p.yml', '--set', 'inputs.n=5', '--json']));
    assert.match(cli(cwd, ['logs', ok.id, 'a']).stdout, /n=5/);
    const unknown = cli(cwd, ['run', 'p.yml', '--set', 'inputs.m=5']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /m/);
    const wrongType = cli(cwd, ['run', 'p.yml', '--set', 'n=abc']);
    assert.equal(wrongType.code, 2);
    assert.match(wrongType.stderr, /integer/);

    const data = project({
      'p.yml': 'type: pipeline\ninputs:\n  d:\n    type: uri_folder\n    path: ./data\njobs:\n  a:\n    type: command\n    command: ls ${{inputs.d}}\n    inputs:\n      d: ${{parent.inputs.d}}\n',
      'data/x.txt': 'x',
      'other/y.txt': 'y',
    });
    const env = { TRIBUTARY_DATASTORE: 'none' };
    const missing = cli(data, ['run', 'p.yml', '--set', 'inputs.d=./nope'], env);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, /--set: inputs\.d: \S+\/nope does not exist \(a uri_folder input takes a local folder or azureml:\/\/datastores\/NAME\/paths\/PATH\)/);
    const notFolder = cli(data, ['run', 'p.yml', '--set', 'inputs.d=other/y.txt'], env);
    assert.match(notFolder.stderr, /inputs\.d: \S+other\/y\.txt is not a folder \(the input is declared uri_folder\)/);
    assert.equal(json(cli(data, ['runs', '--json'], env)).runs.length, 0, 'nothing is recorded');
    const other = json(cli(data, ['run', 'p.yml', '--set', 'inputs.d=other', '--json'], env));
    assert.match(cli(data, ['logs', other.id, 'a'], env).stdout, /^y\.txt$/m);
  });

  it("fills the job's inputs into commands and environment variables, drops the $[[ ... ]] sections of unbound optional inputs, and rejects an unquotable value before recording the run", () => {
    const cwd = project({
      'echo.yml': `type: command
inputs:
  n:
    type: integer
    optional: true
  word:
    type: string
    default: plain
command: echo start $[[n=\${{inputs.n}}]] \${{inputs.word}} end; echo "env=$WORD $MISSING"
`,
      'p.yml': `type: pipeline
jobs:
  a:
    type: command
    component: ./echo.yml
    environment_variables:
      WORD: \${{inputs.word}}!
      MISSING: $[[\${{inputs.n}}]]-
`,
    });
    const env = { TRIBUTARY_DATASTORE: 'none' };
    const ok = json(cli(cwd, ['run', 'p.yml', '--json'], env));
    assert.equal(ok.status, 'Completed', JSON.stringify(ok));
    const logs = cli(cwd, ['logs', ok.id, 'a'], env).stdout;
    assert.match(logs, /^start +plain end$/m);
    assert.match(logs, /^env=plain! -$/m, 'environment variables get the job\'s input values');
    const unquotable = project({
      'p.yml': `type: pipeline
inputs:
  w: "two words"
jobs:
  a:
    type: command
    command: echo $\${{inputs.w}}
    inputs:
      w: \${{parent.inputs.w}}
`,
    });
    const rejected = cli(unquotable, ['run', 'p.yml'], env);
    assert.equal(rejected.code, 2, rejected.stderr);
    assert.match(rejected.stderr, /p\.yml:\d+: command: the value of \$\{\{inputs\.w\}\} has shell characters/);
    assert.equal(json(cli(unquotable, ['runs', '--json'], env)).runs.length, 0, 'nothing is recorded');
  });

  it("keeps Tributary's own credentials (API key, datastore connection strings) out of steps' environments", () => {
    const cwd = project({ 'p.yml': 'type: pipeline\njobs:\n  a:\n    type: command\n    command: env; echo "mine=$MINE"\n    environment_variables:\n      MINE: kept\n' });
    const env = { TRIBUTARY_DATASTORE: 'none', TRIBUTARY_API_KEY: 'key-0123456789abcdef0123456789', LAKE_CS: 'AccountKey=TOPSECRET==' };
    assert.equal(cli(cwd, ['datastore', 'register', 'lake', '--container', 'lake', '--connection-string-env', 'LAKE_CS'], env).code, 0);
    const run = json(cli(cwd, ['run', 'p.yml', '--json'], env));
    assert.equal(run.status, 'Completed');
    const logs = cli(cwd, ['logs', run.id, 'a'], env).stdout;
    assert.match(logs, /^mine=kept$/m);
    assert.match(logs, /^PATH=/m, 'the rest of the environment is inherited');
    assert.doesNotMatch(logs, /0123456789abcdef|TOPSECRET|TRIBUTARY_API_KEY|LAKE_CS/);
  });

  it('hands a uri_file output to the next step as that file, on both data planes', () => {
    const cwd = project({
      'p.yml': `type: pipeline
jobs:
  up:
    type: command
    command: echo data > \${{outputs.f}}
    outputs:
      f:
        type: uri_file
  down:
    type: command
    command: cat \${{inputs.f}}
    inputs:
      f:
        type: uri_file
        path: \${{parent.jobs.up.outputs.f}}
`,
    });
    for (const plane of ['none', 'azurite']) {
      const env = { TRIBUTARY_DATASTORE: plane, TRIBUTARY_WORKSPACE: path.join(cwd, `ws-${plane}`) };
      const run = json(cli(cwd, ['run', 'p.yml', '--json'], env));
      assert.equal(run.status, 'Completed', `${plane}: ${JSON.stringify(run.steps)}`);
      assert.equal(cli(cwd, ['logs', run.id, 'down'], env).stdout, 'data\n', plane);
      cli(cwd, ['datastore', 'stop-azurite'], env);
    }
  });

  it('ends quietly when the reader of its output goes away (tributary show ID | head -1)', async () => {
    const cwd = project({ 'p.yml': 'type: pipeline\njobs:\n  a:\n    type: command\n    command: echo hi\n' });
    const env = { TRIBUTARY_DATASTORE: 'none' };
    const { id } = json(cli(cwd, ['run', 'p.yml', '--json'], env));
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(REPO, 'dist', 'cli', 'main.js'), 'show', id], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the CLI writes a byte: its first write gets EPIPE
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise((resolve) => child.on('close', resolve));
    assert.equal(stderr, '', 'no stack trace');
    assert.equal(code, 0);
  });

  it('stops a step at its timeout and retries it per its retry policy', () => {
    const cwd = project({
      'p.yml': `type: pipeline
jobs:
  slow:
    type: command
    command: echo attempt $TRIBUTARY_ATTEMPT; sleep 30
    limits:
      timeout: 1
    tributary:
      retry:
        max_attempts: 2
        initial_delay_seconds: 0
`,
    });
    const started = Date.now();
    const view = json(cli(cwd, ['run', 'p.yml', '--json']));
    assert.ok(Date.now() - started < 20_000, 'the timeout stopped the step long before its 30 s sleep');
    assert.equal(view.status, 'Failed');
    assert.equal(view.steps[0].attempt, 2);
    assert.match(view.steps[0].statusReason, /timed out after 1s/);
    assert.match(cli(cwd, ['logs', view.id, 'slow', '--attempt', '1']).stdout, /attempt 1/);
  });
});
