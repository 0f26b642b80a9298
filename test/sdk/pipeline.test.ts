import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { compilePipelineYaml } from '../../shared/model/yaml/compile';
import { CommandStep, Pipeline, PipelineData, PipelineParameter, PythonScriptStep, type StepInput } from '../../sdk';
import { tempFolder, throwsValidation } from './support';

let src: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir: src, cleanup } = await tempFolder({ 'run.py': 'print(1)\n' })));
after(() => cleanup());

function step(name: string, reads: StepInput[] = [], writes: PipelineData[] = []): PythonScriptStep {
  return new PythonScriptStep({ name, scriptName: 'run.py', sourceDirectory: src, inputs: reads, outputs: writes });
}

describe('Pipeline.toDefinition', () => {
  it('fills the pipeline fields and is plain JSON', () => {
    const epochs = new PipelineParameter({ name: 'epochs', defaultValue: 10 });
    const model = new PipelineData('model', { pipelineOutputName: 'best_model' });
    const train = new PythonScriptStep({ name: 'train', scriptName: 'run.py', sourceDirectory: src, arguments: ['--epochs', epochs, '--model', model], outputs: [model] });
    const def = new Pipeline({ steps: [train], name: 'trainer', description: 'trains', defaultCompute: { name: 'cpu' }, continueOnStepFailure: true }).toDefinition();
    assert.deepEqual(
      { ...def, steps: Object.keys(def.steps) },
      {
        schemaVersion: 1,
        name: 'trainer',
        description: 'trains',
        defaultCompute: 'cpu',
        continueOnStepFailure: true,
        inputs: { epochs: { type: 'integer', default: 10 } },
        outputs: { best_model: { step: 'train', output: 'model' } },
        steps: ['train'],
        source: 'sdk',
      },
    );
    assert.deepEqual(JSON.parse(JSON.stringify(def)), def);
    const plain = new Pipeline({ steps: [step('a')], defaultCompute: 'local' }).toDefinition();
    assert.deepEqual([plain.name, plain.continueOnStepFailure, plain.inputs, plain.outputs], ['pipeline', false, {}, {}]);
  });

  it('adds the steps that write what the listed steps read, after them (resolveClosure)', () => {
    const raw = new PipelineData('raw');
    const prepared = new PipelineData('prepared');
    const fetch = step('fetch', [], [raw]);
    const prep = step('prep', [raw], [prepared]);
    const train = step('train', [prepared]);
    const def = new Pipeline({ steps: [train, train], defaultCompute: 'local' }).toDefinition();
    assert.deepEqual(Object.keys(def.steps), ['train', 'prep', 'fetch']);
    assert.deepEqual(def.steps.prep!.inputs.raw!.binding, { kind: 'stepOutput', step: 'fetch', output: 'raw' });
    throwsValidation(
      () => new Pipeline({ steps: [train, prep], defaultCompute: 'local', resolveClosure: false }).toDefinition(),
      'steps[1] (prep).inputs[0]: PipelineData "raw" is written by step "fetch", which is not in this pipeline (add that step to steps)',
    );
    assert.deepEqual(Object.keys(new Pipeline({ steps: [fetch, prep, train], defaultCompute: 'local', resolveClosure: false }).toDefinition().steps), ['fetch', 'prep', 'train']);
  });

  it('follows data used only in arguments when adding upstream steps', () => {
    const prepared = new PipelineData('prepared');
    step('prep', [], [prepared]);
    const train = new CommandStep({ name: 'train', command: ['cat', prepared] });
    assert.deepEqual(Object.keys(new Pipeline({ steps: [train], defaultCompute: 'local' }).toDefinition().steps), ['train', 'prep']);
  });

  it('rejects duplicate step names', () => {
    throwsValidation(
      () => new Pipeline({ steps: [step('train'), step('prep'), step('train')], defaultCompute: 'local' }).toDefinition(),
      'steps[2] (train): duplicate step name "train" (steps[0] has it too; step names must be unique)',
      'steps[2] (train)',
    );
  });

  it('prints a cycle made by steps reading each other\'s data', () => {
    const fromA = new PipelineData('from_a');
    const fromB = new PipelineData('from_b');
    const a = step('a', [fromB], [fromA]);
    const b = step('b', [fromA], [fromB]);
    throwsValidation(
      () => new Pipeline({ steps: [a, b], defaultCompute: 'local' }).toDefinition(),
      'sdk:steps[0] (a): cycle: a -> b -> a (a at sdk:steps[0] (a), b at sdk:steps[1] (b); remove one of these bindings: b.inputs.from_a, a.inputs.from_b)',
      'sdk:steps[0] (a)',
    );
  });

  it('rejects two parameters of one name that differ, and accepts equal ones', () => {
    const p10 = new PipelineParameter({ name: 'epochs', defaultValue: 10 });
    const again = new PipelineParameter({ name: 'epochs', defaultValue: 10 });
    const p20 = new PipelineParameter({ name: 'epochs', defaultValue: 20 });
    const def = new Pipeline({ steps: [step('a', [p10]), step('b', [again])], defaultCompute: 'local' }).toDefinition();
    assert.deepEqual(def.inputs, { epochs: { type: 'integer', default: 10 } });
    throwsValidation(
      () => new Pipeline({ steps: [step('a', [p10]), step('b', [p20])], defaultCompute: 'local' }).toDefinition(),
      'steps[1] (b).inputs[0]: PipelineParameter "epochs" (integer 20) differs from the one at steps[0] (a).inputs[0] (integer 10); use one PipelineParameter per name',
    );
    // The same within one step.
    assert.deepEqual(new Pipeline({ steps: [step('a', [p10, again])], defaultCompute: 'local' }).toDefinition().inputs, { epochs: { type: 'integer', default: 10 } });
    throwsValidation(
      () => new Pipeline({ steps: [step('a', [p10, p20])], defaultCompute: 'local' }).toDefinition(),
      'steps[0] (a).inputs[1]: PipelineParameter "epochs" (integer 20) differs from the one at steps[0] (a).inputs[0] (integer 10); use one PipelineParameter per name',
    );
  });

  it('rejects two pipeline outputs of one name and an empty pipeline', () => {
    const x = new PipelineData('x', { pipelineOutputName: 'result' });
    const y = new PipelineData('y', { pipelineOutputName: 'result' });
    throwsValidation(
      () => new Pipeline({ steps: [step('a', [], [x]), step('b', [], [y])], defaultCompute: 'local' }).toDefinition(),
      'steps[1] (b).outputs[0]: pipelineOutputName "result" is used by two outputs (pipeline outputs need unique names)',
    );
    throwsValidation(() => new Pipeline({ steps: [] }).toDefinition(), 'Pipeline.steps: a pipeline needs at least one step');
  });

  it('reports every problem of every step in one error', () => {
    const orphan = new PipelineData('orphan');
    const missing = new PythonScriptStep({ name: 'b', scriptName: 'gone.py', sourceDirectory: src });
    throwsValidation(
      () => new Pipeline({ steps: [step('a', [orphan]), missing] }).toDefinition(),
      [
        '4 problems:',
        '  - steps[0] (a).inputs[0]: PipelineData "orphan" is not an output of any step (add it to the outputs of the step that writes it)',
        '  - steps[0] (a): no computeTarget, and the pipeline has no defaultCompute (set computeTarget on the step, or defaultCompute on the Pipeline)',
        `  - steps[1] (b): script 'gone.py' not found in ${src}`,
        '  - steps[1] (b): no computeTarget, and the pipeline has no defaultCompute (set computeTarget on the step, or defaultCompute on the Pipeline)',
      ].join('\n'),
      'steps[0] (a).inputs[0]',
    );
  });

  it('checks its own options', () => {
    throwsValidation(() => new Pipeline({ steps: [{ name: 'fake' }] } as never), 'Pipeline.steps[0]: expected a step (PythonScriptStep, CommandStep, DatabricksStep, DataTransferStep)');
    throwsValidation(() => new Pipeline({ steps: [], default_compute: 'local' } as never), 'Pipeline: unknown option "default_compute" (did you mean "defaultCompute"?)');
    throwsValidation(() => new Pipeline({ steps: [], name: 'my pipeline' }), 'Pipeline.name: invalid name "my pipeline" (use letters, digits, "_" and "-", starting with a letter or "_")');
  });
});

describe('Pipeline.fromYaml', () => {
  it('wraps the YAML compiler\'s definition', async () => {
    const file = path.resolve(__dirname, '..', '..', '..', 'examples', 'iris', 'pipeline.yml');
    const pipeline = await Pipeline.fromYaml(file);
    assert.deepEqual(pipeline.toDefinition(), await compilePipelineYaml(file));
  });

  it('passes YAML errors through', async () => {
    await assert.rejects(Pipeline.fromYaml(path.join(src, 'none.yml')), { name: 'ValidationError', message: `${path.join(src, 'none.yml')}: pipeline file not found` });
  });
});
