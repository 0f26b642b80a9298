import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ValidationError } from '../../shared/errors';
import type { PipelineDefinition, StepDefinition } from '../../shared/model/definition';
import { topologicalOrder, validateDefinition } from '../../shared/model/graph';
import { compilePipelineYaml, compilePipelineYamlText } from '../../shared/model/yaml/compile';
import { memoryFiles, ROOT } from '../fixtures/yaml/memory-files';

const FIXTURE = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'yaml', 'azureml-shaped');
const FILE = path.join(FIXTURE, 'pipeline.yml');
const P = `${ROOT}/pipeline.yml`;

const defaults = { kind: 'command', environmentVariables: {}, allowReuse: true, retry: { maxAttempts: 1, initialDelaySeconds: 10 } } as const;

async function compileText(text: string, tree: Record<string, string> = {}) {
  const warnings: string[] = [];
  const def = await compilePipelineYamlText(text, P, memoryFiles(tree), { warn: (m) => warnings.push(m) });
  return { def, warnings };
}

describe('compilePipelineYaml: an Azure ML CLI v2 pipeline with two components and an inline job', () => {
  it('compiles to the internal definition', async () => {
    const warnings: string[] = [];
    const def = await compilePipelineYaml(FILE, { warn: (m) => warnings.push(m) });
    const src = path.join(FIXTURE, 'src');
    const expected: PipelineDefinition = {
      schemaVersion: 1,
      name: 'Iris-training', // from display_name when the YAML has no name
      displayName: 'Iris training',
      description: 'Prepare the data, train a model, write a report',
      experimentName: 'iris-example',
      defaultCompute: 'azureml:cpu-cluster',
      continueOnStepFailure: false,
      inputs: {
        raw_data: { type: 'uri_folder', default: path.join(FIXTURE, 'data', 'raw') },
        learning_rate: { type: 'number', default: 0.05 },
        max_epochs: { type: 'integer', default: 20 },
        scoring_mode: { type: 'string', optional: true },
      },
      outputs: { trained_model: { step: 'train', output: 'model_output' } },
      steps: {
        prep: {
          ...defaults,
          name: 'prep',
          displayName: 'Prepare data',
          command: 'python prep.py --raw ${{inputs.raw_data}} --clean ${{outputs.clean_data}} $[[--test-split ${{inputs.test_split}}]]',
          codeDir: src,
          environment: { reference: 'azureml:AzureML-sklearn-1.0-ubuntu20.04-py38-cpu:1' },
          compute: 'azureml:cpu-cluster',
          inputs: {
            raw_data: { type: 'uri_folder', optional: false, binding: { kind: 'pipelineInput', name: 'raw_data' } },
            test_split: { type: 'number', optional: true, binding: { kind: 'literal', type: 'number', value: 0.2 } },
          },
          outputs: { clean_data: { type: 'uri_folder', mode: 'rw_mount' } },
          origin: `${FILE}:25`,
        },
        train: {
          ...defaults,
          name: 'train',
          displayName: 'Train model',
          command:
            'python train.py --data ${{inputs.training_data}} --lr ${{inputs.learning_rate}} --epochs ${{inputs.max_epochs}} $[[--seed ${{inputs.seed}}]] --model ${{outputs.model_output}}',
          codeDir: src,
          environment: { reference: 'azureml://registries/azureml/environments/sklearn-1.5/labels/latest' },
          compute: 'azureml:gpu-cluster',
          inputs: {
            training_data: { type: 'uri_folder', optional: false, binding: { kind: 'stepOutput', step: 'prep', output: 'clean_data' } },
            learning_rate: { type: 'number', optional: false, binding: { kind: 'pipelineInput', name: 'learning_rate' } },
            max_epochs: { type: 'integer', optional: false, binding: { kind: 'pipelineInput', name: 'max_epochs' } },
            seed: { type: 'integer', optional: true },
          },
          outputs: { model_output: { type: 'uri_folder', mode: 'upload' } },
          retry: { maxAttempts: 3, initialDelaySeconds: 5 },
          timeoutSeconds: 3600,
          origin: `${FILE}:33`,
        },
        report: {
          ...defaults,
          name: 'report',
          displayName: 'Write the report',
          command: 'python report.py --model ${{inputs.model}} --epochs ${{inputs.epochs}} $[[--mode ${{inputs.mode}}]] --out ${{outputs.report}}',
          codeDir: src,
          environment: { image: 'python:3.11-slim', condaFile: path.join(FIXTURE, 'environment', 'conda.yml') },
          compute: 'azureml:cpu-cluster',
          inputs: {
            model: { type: 'uri_folder', optional: false, binding: { kind: 'stepOutput', step: 'train', output: 'model_output' } },
            epochs: { type: 'integer', optional: false, binding: { kind: 'literal', type: 'integer', value: 5 } },
            mode: { type: 'string', optional: true, binding: { kind: 'pipelineInput', name: 'scoring_mode' } },
          },
          outputs: { report: { type: 'uri_folder' } },
          environmentVariables: { LOG_LEVEL: 'info' },
          allowReuse: false,
          origin: `${FILE}:51`,
        },
      },
      source: FILE,
    };
    assert.deepEqual(def, expected);
    assert.deepEqual(warnings, [
      `${FILE}:6: tags: accepted for Azure ML compatibility and ignored by Tributary`,
      `${FILE}:43: jobs.train.resources: accepted for Azure ML compatibility and ignored by Tributary`,
    ]);
  });

  it('gives a definition that passes structural validation, in dependency order', async () => {
    const def = await compilePipelineYaml(FILE, { warn: () => {} });
    validateDefinition(def, { knownComputes: ['azureml:cpu-cluster', 'azureml:gpu-cluster'] });
    assert.deepEqual(topologicalOrder(def), ['prep', 'train', 'report']);
    assert.deepEqual(JSON.parse(JSON.stringify(def)), def, 'plain JSON data');
  });

  it('names files in messages as the user gave them (relative paths stay relative)', () => {
    const script = `require(${JSON.stringify(require.resolve('../../shared/model/yaml/compile'))}).compilePipelineYaml('pipeline.yml', { warn: () => {} })
      .then((d) => console.log(JSON.stringify([d.source, d.steps.prep.origin, d.steps.prep.codeDir])))`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: FIXTURE, encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), ['pipeline.yml', 'pipeline.yml:25', path.join(FIXTURE, 'src')]);
  });

  it('rejects a pipeline file that does not exist', async () => {
    await assert.rejects(compilePipelineYaml(path.join(FIXTURE, 'nope.yml')), (err: unknown) => err instanceof ValidationError && /nope\.yml: pipeline file not found$/.test(err.message));
    await assert.rejects(compilePipelineYaml(FIXTURE), (err: unknown) => err instanceof ValidationError && err.message === `${FIXTURE}: is a folder; name the pipeline YAML file in it`);
  });
});

describe('compilePipelineYamlText', () => {
  it('compiles inline components, Tributary settings and Azure ML reuse settings', async () => {
    const { def } = await compileText(
      `type: pipeline
name: inline_only
tributary:
  retry: {max_attempts: 2}
  timeout_seconds: 60
  allow_reuse: false
jobs:
  scored:
    component:
      type: command
      is_deterministic: false
      inputs: {x: {type: string}}
      outputs: {scores: {type: uri_file}}
      command: score $[[\${{inputs.x}}]] \${{outputs.scores}}
    inputs: {x: 1}
    compute: local
  kept:
    command: cat \${{inputs.table}} \${{inputs.remote}}
    inputs:
      table: {type: uri_file, path: ./data/t.csv}
      remote: {type: uri_folder, path: azureml://datastores/workspaceblobstore/paths/iris/}
    tributary: {allow_reuse: true, retry: {max_attempts: 5, initial_delay_seconds: 1}, timeout_seconds: 9}
`,
      { 'data/t.csv': 'a,b\n' },
    );
    const scored: StepDefinition = {
      ...defaults,
      name: 'scored',
      command: 'score $[[${{inputs.x}}]] ${{outputs.scores}}',
      compute: 'local',
      inputs: { x: { type: 'string', optional: false, binding: { kind: 'literal', type: 'string', value: '1' } } },
      outputs: { scores: { type: 'uri_file' } },
      allowReuse: false,
      retry: { maxAttempts: 2, initialDelaySeconds: 10 },
      timeoutSeconds: 60,
      origin: `${P}:8`,
    };
    const kept: StepDefinition = {
      ...defaults,
      name: 'kept',
      command: 'cat ${{inputs.table}} ${{inputs.remote}}',
      compute: 'local',
      inputs: {
        table: { type: 'uri_file', optional: false, binding: { kind: 'localPath', type: 'uri_file', path: `${ROOT}/data/t.csv` } },
        remote: { type: 'uri_folder', optional: false, binding: { kind: 'datastorePath', type: 'uri_folder', datastore: 'workspaceblobstore', path: 'iris/' } },
      },
      outputs: {},
      retry: { maxAttempts: 5, initialDelaySeconds: 1 },
      timeoutSeconds: 9,
      origin: `${P}:17`,
    };
    assert.deepEqual(def.steps, { scored, kept });
    assert.equal(def.name, 'inline_only');
  });

  it('reads pipeline inputs in every Azure ML form', async () => {
    const { def } = await compileText(
      `type: pipeline
inputs:
  lr: 0.01
  epochs: 20
  whole: 1.0
  verbose: true
  label: iris
  rate: {type: number, default: 3}
  note: {type: string, value: hello, description: free text}
  seed: {type: integer, optional: true}
  table: {type: uri_file, path: data/t.csv, mode: download}
  remote: {type: uri_folder, path: "azureml://datastores/workspaceblobstore/paths/iris"}
jobs:
  echo:
    command: echo
`,
      { 'data/t.csv': '' },
    );
    assert.deepEqual(def.inputs, {
      lr: { type: 'number', default: 0.01 },
      epochs: { type: 'integer', default: 20 },
      whole: { type: 'integer', default: 1 },
      verbose: { type: 'boolean', default: true },
      label: { type: 'string', default: 'iris' },
      rate: { type: 'number', default: 3 },
      note: { type: 'string', description: 'free text', default: 'hello' },
      seed: { type: 'integer', optional: true },
      table: { type: 'uri_file', default: `${ROOT}/data/t.csv` },
      remote: { type: 'uri_folder', default: 'azureml://datastores/workspaceblobstore/paths/iris' },
    });
  });

  it('takes compute from the job, else settings.default_compute, else local', async () => {
    const jobs = `jobs:
  a: {command: echo, compute: azureml:gpu}
  b: {command: echo}
`;
    const withDefault = await compileText(`type: pipeline\nsettings: {default_compute: "azureml:cpu"}\n${jobs}`);
    assert.deepEqual([withDefault.def.steps.a!.compute, withDefault.def.steps.b!.compute], ['azureml:gpu', 'azureml:cpu']);
    const without = await compileText(`type: pipeline\n${jobs}`);
    assert.deepEqual([without.def.steps.a!.compute, without.def.steps.b!.compute], ['azureml:gpu', 'local']);
  });

  it('turns reuse off everywhere with settings.force_rerun', async () => {
    const { def } = await compileText(`type: pipeline\nsettings: {force_rerun: true}\njobs:\n  a: {command: echo, tributary: {allow_reuse: true}}\n`);
    assert.equal(def.steps.a!.allowReuse, false);
  });

  it('warns about every accepted-but-ignored key and a non-default datastore, naming file and line', async () => {
    const { warnings } = await compileText(
      `type: pipeline
identity: {type: managed}
settings: {default_datastore: "azureml:my_store"}
outputs:
  o: {type: uri_folder, path: "azureml://datastores/x/paths/y"}
jobs:
  a:
    component: ./c.yml
    outputs: {out: "\${{parent.outputs.o}}"}
    distribution: {type: pytorch}
    queue_settings: {job_tier: spot}
`,
      {
        'c.yml': `type: command
tags: {team: a}
inputs:
  n: {type: integer, default: 1, min: 0, max: 9}
outputs:
  out: {type: uri_folder}
environment: {image: "python:3.11", name: py, version: 1}
command: echo \${{inputs.n}} > \${{outputs.out}}/n
`,
      },
    );
    const ignored = 'accepted for Azure ML compatibility and ignored by Tributary';
    assert.deepEqual(warnings, [
      `${P}:2: identity: ${ignored}`,
      `${P}:3: settings.default_datastore: "azureml:my_store" is ignored: outputs go to workspaceblobstore`,
      `${P}:5: outputs.o.path: ${ignored}`,
      `${P}:10: jobs.a.distribution: ${ignored}`,
      `${P}:11: jobs.a.queue_settings: ${ignored}`,
      `${ROOT}/c.yml:2: tags: ${ignored}`,
      `${ROOT}/c.yml:4: inputs.n.min: ${ignored}`,
      `${ROOT}/c.yml:4: inputs.n.max: ${ignored}`,
    ]);
  });

  it('reads a component file once however many jobs use it', async () => {
    let reads = 0;
    const files = memoryFiles({ 'c.yml': 'type: command\ncommand: echo\n' });
    const counting = { ...files, readText: (p: string) => (reads++, files.readText(p)) };
    const def = await compilePipelineYamlText(`type: pipeline\njobs:\n  a: {component: ./c.yml}\n  b: {component: "file:c.yml"}\n`, P, counting, { warn: () => {} });
    assert.deepEqual(Object.keys(def.steps), ['a', 'b']);
    assert.equal(reads, 1);
  });
});
