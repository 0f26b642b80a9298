import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { NotFoundError, TransientError, ValidationError } from '../../shared/errors';
import { CommandStep, Experiment, Pipeline, PipelineData, PipelineParameter, PipelineRun, PythonScriptStep, RunFailedError, Workspace } from '../../sdk';
import { tempFolder, throwsValidation } from './support';

const MAKE_PY = `
import argparse, json, os
p = argparse.ArgumentParser()
p.add_argument("--out"); p.add_argument("--label"); p.add_argument("--count", type=int)
a = p.parse_args()
with open(os.path.join(a.out, "n.txt"), "w") as f: f.write(" ".join(str(i) for i in range(1, a.count + 1)))
with open(os.path.join(a.out, "label.txt"), "w") as f: f.write(a.label)
with open(os.environ["TRIBUTARY_METRICS_FILE"], "a") as m:
    for line in [{"name": "count", "value": a.count}, {"name": "progress", "value": 0.5, "step": 1}, {"name": "progress", "value": 1.0, "step": 2}]:
        m.write(json.dumps(line) + "\\n")
print("made", a.count, "numbers labelled", a.label)
`;

/** make (Python) → scale (shell, parameter `factor`) → sum (shell, reads both): the total is 6 × (1 + factor). */
function tinyPipeline(src: string): Pipeline {
  const numbers = new PipelineData('numbers');
  const scaled = new PipelineData('scaled');
  const total = new PipelineData('total');
  const factor = new PipelineParameter({ name: 'factor', defaultValue: 2 });
  const make = new PythonScriptStep({ name: 'make', scriptName: 'make.py', sourceDirectory: src, arguments: ['--out', numbers, '--label', 'two words', '--count', 3], outputs: [numbers] });
  const scale = new CommandStep({
    name: 'scale',
    command: `awk -v f=\${{inputs.factor}} '{for (i = 1; i <= NF; i++) printf "%d ", $i * f}' \${{inputs.numbers}}/n.txt > \${{outputs.scaled}}/n.txt`,
    inputs: [numbers, factor],
    outputs: [scaled],
  });
  const sum = new CommandStep({
    name: 'sum',
    command:
      `awk '{for (i = 1; i <= NF; i++) s += $i} END {print s}' \${{inputs.numbers}}/n.txt \${{inputs.scaled}}/n.txt > \${{outputs.total}}/total.txt && ` +
      `printf '{"name": "total", "value": %s}\\n' "$(cat "$TRIBUTARY_OUTPUT_TOTAL/total.txt")" >> "$TRIBUTARY_METRICS_FILE"`,
    inputs: [numbers, scaled],
    outputs: [total],
  });
  return new Pipeline({ steps: [make, scale, sum], defaultCompute: 'local' });
}

describe('Experiment#submit and PipelineRun, end to end on local compute', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let workspace: Workspace;
  before(async () => {
    ({ dir, cleanup } = await tempFolder({ 'src/make.py': MAKE_PY }));
    workspace = new Workspace({ folder: path.join(dir, 'ws') });
  });
  after(() => cleanup());

  it('runs three steps, passes outputs between them and records metrics', async () => {
    const experiment = new Experiment(workspace, 'sdk-e2e');
    const run = await experiment.submit(tinyPipeline(path.join(dir, 'src')), { pipelineParameters: { factor: 3 } });
    const output = new PassThrough();
    let printed = '';
    output.on('data', (chunk: Buffer) => (printed += chunk.toString()));
    const view = await run.waitForCompletion({ showOutput: true, output, timeoutMs: 60_000 });

    assert.equal(view.status, 'Completed');
    assert.deepEqual(view.parameters, { factor: 3 });
    assert.deepEqual(view.steps.map((s) => [s.name, s.status, s.exitCode]), [['make', 'Completed', 0], ['scale', 'Completed', 0], ['sum', 'Completed', 0]]);
    assert.equal(await run.getStatus(), 'Completed');
    for (const name of ['make', 'scale', 'sum']) assert.match(printed, new RegExp(`^  ${name}: Completed in \\d+\\.\\ds$`, 'm'));
    assert.match(printed, new RegExp(`^Run ${run.id} Completed in `, 'm'));

    const sum = await run.findStepRun('sum');
    assert.equal((await readFile(path.join(await sum.downloadOutput('total', path.join(dir, 'dl')), 'total.txt'), 'utf8')).trim(), '24');
    const make = await run.findStepRun('make');
    assert.equal(await readFile(path.join(await make.downloadOutput('numbers', path.join(dir, 'dl')), 'label.txt'), 'utf8'), 'two words');
    assert.match((await make.getLogs()).stdout, /made 3 numbers labelled two words/);
    assert.deepEqual(await make.getMetrics(), { count: 3, progress: [0.5, 1] });
    assert.deepEqual(await run.getMetrics(), { make: { count: 3, progress: [0.5, 1] }, sum: { total: 24 } });
    assert.deepEqual((await run.getSteps()).map((s) => s.name), ['make', 'scale', 'sum']);

    const ids = [];
    for await (const r of experiment.getRuns()) ids.push(r.id);
    assert.deepEqual(ids, [run.id]);
    assert.ok((await Experiment.list(workspace)).some((e) => e.name === 'sdk-e2e'));
    assert.equal((await PipelineRun.get(workspace, run.id)).id, run.id);

    // Submitted again, every step is reused: a reused step's logs are those of the run it reused.
    const again = await new Experiment(workspace, 'sdk-e2e-again').submit(tinyPipeline(path.join(dir, 'src')), { pipelineParameters: { factor: 3 } });
    assert.ok((await again.waitForCompletion({ timeoutMs: 60_000 })).steps.every((s) => s.reused && s.reusedFrom === run.id));
    assert.deepEqual(await (await again.findStepRun('make')).getLogs(), await make.getLogs());
  });

  it('rejects when a step fails, naming it, unless raiseOnError is false', async () => {
    const boom = new PipelineData('boom');
    const fail = new CommandStep({ name: 'fail', command: 'echo about to fail >&2; exit 3', outputs: [boom] });
    const next = new CommandStep({ name: 'next', command: ['ls', boom] });
    const run = await new Experiment(workspace, 'sdk-fail').submit(new Pipeline({ steps: [fail, next], defaultCompute: 'local' }));
    await assert.rejects(run.waitForCompletion({ timeoutMs: 60_000 }), (err: unknown) => {
      assert.ok(err instanceof RunFailedError);
      assert.equal(err.code, 'StepFailed');
      assert.equal(err.run.status, 'Failed');
      assert.match(err.message, new RegExp(`^run ${run.id} Failed: .*failed steps: fail \\(exit code 3\\); logs: tributary logs ${run.id} fail$`));
      return true;
    });
    const view = await run.waitForCompletion({ raiseOnError: false });
    assert.deepEqual(view.steps.map((s) => s.name === 'fail' && s.status), ['Failed', false]);
    assert.notEqual(view.steps[1]!.status, 'Completed');
    assert.match((await (await run.findStepRun('fail')).getLogs()).stderr, /about to fail/);
  });

  it('stops waiting after timeoutMs while the run goes on, and cancels', async () => {
    const slow = new CommandStep({ name: 'slow', command: 'sleep 30' });
    const run = await new Experiment(workspace, 'sdk-slow').submit(new Pipeline({ steps: [slow], defaultCompute: 'local' }));
    await assert.rejects(run.waitForCompletion({ timeoutMs: 300, pollMs: 50 }), (err: unknown) => {
      assert.ok(err instanceof TransientError);
      assert.match(err.message, new RegExp(`^run ${run.id} is still (NotStarted|Queued|Running) after 300 ms; it goes on \\(wait again, or cancel it\\)$`));
      return true;
    });
    await run.cancel();
    await assert.rejects(run.waitForCompletion({ timeoutMs: 30_000 }), (err: unknown) => err instanceof RunFailedError && err.run.status === 'Canceled');
    await run.cancel();
  });

  it('rejects unknown and mistyped parameters and unknown computes before recording anything', async () => {
    const experiment = new Experiment(workspace, 'sdk-bad');
    const pipeline = tinyPipeline(path.join(dir, 'src'));
    await assert.rejects(experiment.submit(pipeline, { pipelineParameters: { fator: 3 } }), {
      name: 'ValidationError',
      message: 'pipelineParameters: inputs.fator: unknown pipeline input (known: factor)',
    });
    await assert.rejects(experiment.submit(pipeline, { pipelineParameters: { factor: 'three' } }), {
      name: 'ValidationError',
      message: 'pipelineParameters: inputs.factor: wrong parameter type: expected integer, got "three"',
    });
    const gpu = new Pipeline({ steps: [new CommandStep({ name: 'train', command: 'true', computeTarget: 'gpu-cluster' })] });
    await assert.rejects(experiment.submit(gpu), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.match(err.message, /steps\.train\.compute: unknown compute "gpu-cluster" \(known: local; to run it here, map it with experiment\.submit\(pipeline, \{ computeMap: \{ "gpu-cluster": "local" \} \}\)\)/);
      assert.doesNotMatch(err.message, /--compute/);
      return true;
    });
    await assert.rejects(experiment.submit(pipeline, { pipeline_parameters: {} } as never), {
      message: 'submit: unknown option "pipeline_parameters" (did you mean "pipelineParameters"?)',
    });
    const ran = [];
    for await (const r of experiment.getRuns()) ran.push(r);
    assert.equal(ran.length, 0);
  });

  it('names what is missing', async () => {
    await assert.rejects(PipelineRun.get(workspace, 'no-such-run'), (err: unknown) => err instanceof NotFoundError && err.message === 'run "no-such-run" does not exist in this workspace');
    const run = await new Experiment(workspace, 'sdk-names').submit(new Pipeline({ steps: [new CommandStep({ name: 'only', command: 'true' })], defaultCompute: 'local' }));
    await assert.rejects(run.findStepRun('other'), { message: `run "${run.id}" has no step "other" (steps: only)` });
    await run.waitForCompletion({ timeoutMs: 60_000 });
    await assert.rejects((await run.findStepRun('only')).getOutputData('x'), { message: `step "only" of run "${run.id}" has no recorded output "x" (recorded: none yet)` });
    throwsValidation(() => new Experiment(workspace, 'my experiment'), 'Experiment(my experiment): invalid name "my experiment" (use letters, digits, "_" and "-", starting with a letter or "_")');
    throwsValidation(() => new Experiment({} as never, 'x'), 'Experiment(x): the first argument must be a Workspace');
  });
});
