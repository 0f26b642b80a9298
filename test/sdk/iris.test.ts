import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { renderCommand } from '../../shared/model/command';
import type { PipelineDefinition, ScalarValue, StepDefinition } from '../../shared/model/definition';
import { resolveParameters } from '../../shared/model/parameters';
import { compilePipelineYaml } from '../../shared/model/yaml/compile';
import { Experiment, Workspace } from '../../sdk';
import { IRIS_DIR, irisPipeline } from '../../sdk/examples/iris';
import { tempFolder } from './support';

/** `producer.output -> step.input` for every edge of the graph. */
function edges(def: PipelineDefinition): string[] {
  return Object.values(def.steps)
    .flatMap((step) =>
      Object.entries(step.inputs).map(([input, spec]) => (spec.binding?.kind === 'stepOutput' ? `${spec.binding.step}.${spec.binding.output} -> ${step.name}.${input}` : '')),
    )
    .filter(Boolean)
    .sort();
}

/** The command a step would run, with outputs under /runs and the given parameter overrides. */
function rendered(def: PipelineDefinition, step: StepDefinition, overrides: Record<string, ScalarValue>): string {
  const parameters = resolveParameters(def, overrides, 'test');
  const inputs: Record<string, ScalarValue | undefined> = {};
  for (const [name, spec] of Object.entries(step.inputs)) {
    const b = spec.binding;
    if (!b) continue;
    inputs[name] = b.kind === 'literal' ? b.value : b.kind === 'pipelineInput' ? parameters[b.name] : b.kind === 'stepOutput' ? `/runs/${b.step}/${b.output}` : b.kind === 'localPath' ? b.path : b.path;
  }
  const outputs = Object.fromEntries(Object.keys(step.outputs).map((name) => [name, `/runs/${step.name}/${name}`]));
  return renderCommand(step.command, { inputs, outputs }, step.origin).replace(/\s+/g, ' ').trim();
}

describe('the Iris pipeline written with the SDK', () => {
  let yaml: PipelineDefinition;
  let sdk: PipelineDefinition;
  before(async () => {
    yaml = await compilePipelineYaml(path.join(IRIS_DIR, 'pipeline.yml'), { warn: () => {} });
    sdk = irisPipeline().toDefinition();
  });

  it('has the YAML pipeline\'s steps, edges, outputs, code and environments', () => {
    assert.deepEqual(Object.keys(sdk.steps), Object.keys(yaml.steps));
    assert.deepEqual(edges(sdk), edges(yaml));
    assert.equal(edges(sdk).length, 5);
    assert.deepEqual(sdk.outputs, yaml.outputs);
    for (const [name, step] of Object.entries(yaml.steps)) {
      const mine = sdk.steps[name]!;
      assert.deepEqual(mine.outputs, step.outputs, name);
      assert.deepEqual([mine.kind, mine.codeDir, mine.environment, mine.allowReuse, mine.retry], [step.kind, step.codeDir, step.environment, step.allowReuse, step.retry], name);
    }
  });

  it('has the YAML pipeline\'s parameters (the YAML also makes raw_data one)', () => {
    assert.deepEqual(sdk.inputs, { learning_rate: yaml.inputs.learning_rate, epochs: yaml.inputs.epochs });
  });

  const cases: Record<string, ScalarValue>[] = [{}, { epochs: 50, learning_rate: 0.25 }];
  for (const overrides of cases) {
    it(`renders the same commands with parameters ${JSON.stringify(overrides)}`, () => {
      for (const [name, step] of Object.entries(yaml.steps)) {
        assert.equal(rendered(sdk, sdk.steps[name]!, overrides), rendered(yaml, step, overrides), name);
      }
      assert.match(rendered(sdk, sdk.steps.prep!, overrides), /^python prep.py --raw \/\S+\/examples\/iris\/data\/iris.csv --test-fraction 0.3 --seed 7 --out \/runs\/prep\/prepared$/);
    });
  }
});

describe('the Iris SDK example, run', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempFolder({})));
  after(() => cleanup());

  it('completes on local compute with cpu-cluster mapped to it, and picks a model', async () => {
    const experiment = new Experiment(new Workspace({ folder: dir }), 'iris-sdk');
    const run = await experiment.submit(irisPipeline(), { computeMap: { 'cpu-cluster': 'local' } });
    const view = await run.waitForCompletion({ timeoutMs: 60_000 });
    assert.deepEqual(
      view.steps.map((s) => [s.name, s.status]),
      [
        ['prep', 'Completed'],
        ['train_knn', 'Completed'],
        ['train_softmax', 'Completed'],
        ['compare', 'Completed'],
      ],
    );
    const metrics = await (await run.findStepRun('compare')).getMetrics();
    assert.equal(typeof metrics.best_test_accuracy, 'number');
    const best = await (await run.findStepRun('compare')).downloadOutput('best', path.join(dir, 'dl'));
    assert.ok(existsSync(path.join(best, 'report.json')), best);
  });
});
