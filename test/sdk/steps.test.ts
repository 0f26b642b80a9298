import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { StepDefinition } from '../../shared/model/definition';
import { renderCommand } from '../../shared/model/command';
import {
  AdlaStep,
  CommandStep,
  DatabricksStep,
  DataReference,
  DataTransferStep,
  Pipeline,
  PipelineData,
  PipelineParameter,
  PythonScriptStep,
  type Step,
} from '../../sdk';
import { tempFolder, throwsValidation } from './support';

let src: string;
let cleanup: () => Promise<void>;
before(async () => ({ dir: src, cleanup } = await tempFolder({ 'train.py': 'print(1)\n', 'jobs/score.py': 'print(2)\n' })));
after(() => cleanup());

/** The definitions of `steps` compiled in a pipeline running on local compute. */
function compile(...steps: Step[]): Record<string, StepDefinition> {
  return new Pipeline({ steps, defaultCompute: 'local' }).toDefinition().steps;
}

function python(name: string, args: PythonScriptStep['arguments'], extra: Partial<ConstructorParameters<typeof PythonScriptStep>[0]> = {}): PythonScriptStep {
  return new PythonScriptStep({ name, scriptName: 'train.py', sourceDirectory: src, arguments: [...args], ...extra });
}

describe('PythonScriptStep arguments', () => {
  it('quotes literal words only when the shell needs it', () => {
    const step = python('train', ['--name', 'hello world', '--q', "it's", '--empty', '', '--n', 3, '--f', 0.25, '--neg', -1, '--glob', '*.csv', '--var', '$HOME', '--plain', 'a/b-c_d.e:f=g,h+i@j%k']);
    assert.equal(
      compile(step).train!.command,
      `python train.py --name 'hello world' --q 'it'\\''s' --empty '' --n 3 --f 0.25 --neg -1 --glob '*.csv' --var '$HOME' --plain a/b-c_d.e:f=g,h+i@j%k`,
    );
  });

  it('hands every literal to the process unchanged through renderCommand and bash', () => {
    const words = ['hello world', "it's", '', '*', '$HOME', '`id`', '"quoted"', 'a;b|c&d', 'back\\slash', 'new\nline', '#not-a-comment', '~', 'ünï'];
    const step = new CommandStep({ name: 'echo', command: ['printf', '%s\\n', ...words] });
    const rendered = renderCommand(compile(step).echo!.command, { inputs: {}, outputs: {} }, 'test');
    const result = spawnSync('bash', ['-c', rendered], { encoding: 'utf8' });
    assert.equal(result.stdout, words.map((w) => `${w}\n`).join(''));
  });

  it('quotes a script name that needs it and keeps its folder', () => {
    const step = new PythonScriptStep({ name: 'score', scriptName: 'jobs/score.py', sourceDirectory: src });
    const def = compile(step).score!;
    assert.equal(def.command, 'python jobs/score.py');
    assert.equal(def.codeDir, src);
  });

  it('turns outputs, inputs, asInput, parameters and data references into placeholders, adding missing inputs', () => {
    const prepared = new PipelineData('prepared');
    const model = new PipelineData('model', { isFile: true });
    const raw = new DataReference({ localPath: src, dataReferenceName: 'raw' });
    const epochs = new PipelineParameter({ name: 'epochs', defaultValue: 10 });
    const prep = python('prep', ['--raw', raw, '--out', prepared], { outputs: [prepared] });
    const train = python('train', ['--data', prepared, '--again', prepared.asInput('training'), '--epochs', epochs, '--model', model], { outputs: [model] });
    const defs = compile(prep, train);
    assert.equal(defs.prep!.command, 'python train.py --raw ${{inputs.raw}} --out ${{outputs.prepared}}');
    assert.deepEqual(defs.prep!.inputs, { raw: { type: 'uri_folder', optional: false, binding: { kind: 'localPath', type: 'uri_folder', path: src } } });
    assert.equal(defs.train!.command, 'python train.py --data ${{inputs.prepared}} --again ${{inputs.training}} --epochs ${{inputs.epochs}} --model ${{outputs.model}}');
    assert.deepEqual(defs.train!.inputs, {
      prepared: { type: 'uri_folder', optional: false, binding: { kind: 'stepOutput', step: 'prep', output: 'prepared' } },
      training: { type: 'uri_folder', optional: false, binding: { kind: 'stepOutput', step: 'prep', output: 'prepared' } },
      epochs: { type: 'integer', optional: false, binding: { kind: 'pipelineInput', name: 'epochs' } },
    });
    assert.deepEqual(defs.train!.outputs, { model: { type: 'uri_file' } });
  });

  it('uses the name a listed input was given', () => {
    const prepared = new PipelineData('prepared');
    const prep = python('prep', ['--out', prepared], { outputs: [prepared] });
    const train = python('train', ['--data', prepared], { inputs: [prepared.asInput('training_data')] });
    assert.equal(compile(prep, train).train!.command, 'python train.py --data ${{inputs.training_data}}');
  });

  it('fills the step settings, with Azure ML defaults', () => {
    const step = python('train', [], {
      computeTarget: { name: 'gpu' },
      allowReuse: false,
      environment: { image: 'python:3.12', condaFile: 'conda.yml' },
      environmentVariables: { MODE: 'fast' },
      timeoutSeconds: 60,
      retry: { maxAttempts: 3 },
    });
    const def = compile(step).train!;
    assert.deepEqual(
      { ...def, command: undefined },
      {
        name: 'train',
        kind: 'command',
        compute: 'gpu',
        inputs: {},
        outputs: {},
        allowReuse: false,
        origin: 'sdk:steps[0] (train)',
        command: undefined,
        codeDir: src,
        environment: { image: 'python:3.12', condaFile: path.resolve('conda.yml') },
        environmentVariables: { MODE: 'fast' },
        retry: { maxAttempts: 3, initialDelaySeconds: 10 },
        timeoutSeconds: 60,
      },
    );
    const plain = compile(python('plain', [])).plain!;
    assert.deepEqual([plain.allowReuse, plain.retry, plain.compute, plain.environment], [true, { maxAttempts: 1, initialDelaySeconds: 10 }, 'local', undefined]);
    assert.deepEqual(compile(python('env', [], { environment: 'azureml:sklearn:3' })).env!.environment, { reference: 'azureml:sklearn:3' });
  });
});

describe('step validation', () => {
  it('names the step and path of a missing script or source folder', () => {
    throwsValidation(() => compile(python('prep', []), new PythonScriptStep({ name: 'train', scriptName: 'nope.py', sourceDirectory: src })), `steps[1] (train): script 'nope.py' not found in ${src}`, 'steps[1] (train)');
    const missing = path.join(src, 'missing');
    throwsValidation(() => compile(new PythonScriptStep({ name: 'train', scriptName: 'train.py', sourceDirectory: missing })), `steps[0] (train): source directory ${missing} does not exist`);
    const file = path.join(src, 'train.py');
    throwsValidation(() => compile(new PythonScriptStep({ name: 'train', scriptName: 'train.py', sourceDirectory: file })), `steps[0] (train): source directory ${file} is not a folder`);
  });

  it('needs a compute from the step or the pipeline', () => {
    throwsValidation(
      () => new Pipeline({ steps: [python('train', [])] }).toDefinition(),
      'steps[0] (train): no computeTarget, and the pipeline has no defaultCompute (set computeTarget on the step, or defaultCompute on the Pipeline)',
    );
    assert.equal(new Pipeline({ steps: [python('train', [], { computeTarget: 'cpu' })] }).toDefinition().steps.train!.compute, 'cpu');
  });

  it('rejects PipelineData nobody writes, data a step both reads and writes, and template markers in literals', () => {
    const orphan = new PipelineData('orphan');
    throwsValidation(
      () => compile(python('train', ['--data', orphan])),
      'steps[0] (train).arguments[1]: PipelineData "orphan" is not an output of any step (add it to the outputs of the step that writes it)',
      'steps[0] (train).arguments[1]',
    );
    throwsValidation(
      () => compile(python('train', [], { inputs: [orphan] })),
      'steps[0] (train).inputs[0]: PipelineData "orphan" is not an output of any step (add it to the outputs of the step that writes it)',
    );
    const loop = new PipelineData('loop');
    throwsValidation(
      () => compile(python('self', [], { inputs: [loop], outputs: [loop] })),
      'steps[0] (self).inputs[0]: PipelineData "loop" is both an input and an output of this step',
    );
    throwsValidation(
      () => compile(python('train', ['--x', '${{inputs.secret}}'])),
      'steps[0] (train).arguments[1]: "${{inputs.secret}}" contains "${{" or "$[[", which would be read as a placeholder (pass the PipelineData, DataReference or PipelineParameter object instead)',
    );
  });

  it('rejects two inputs or outputs under one name', () => {
    const a = new PipelineData('model');
    const b = new PipelineData('model');
    const wa = python('wa', [], { outputs: [a] });
    const wb = python('wb', [], { outputs: [b] });
    throwsValidation(
      () => compile(wa, wb, python('read', [], { inputs: [a, b] })),
      `steps[2] (read).inputs[1]: input name "model" is taken by PipelineData "model" at steps[2] (read).inputs[0]; PipelineData "model" needs another name (use .asInput('other_name'))`,
    );
    assert.deepEqual(Object.keys(compile(wa, wb, python('read', [], { inputs: [a.asInput('knn'), b.asInput('softmax')] })).read!.inputs), ['knn', 'softmax']);
    throwsValidation(
      () => compile(python('two', [], { outputs: [new PipelineData('out'), new PipelineData('out')] })),
      'steps[0] (two).outputs[1]: two outputs are named "out" (give the PipelineData objects different names)',
    );
    const c = new PipelineData('c');
    throwsValidation(
      () => compile(python('wc', [], { outputs: [c] }), python('rc', ['--c', c], { inputs: [c.asInput('x'), c.asInput('y')] })),
      'steps[1] (rc).arguments[1]: PipelineData "c" is an input under several names (x, y); use the .asInput(...) object here',
    );
  });

  it('rejects a second writer of a PipelineData when the step is made', () => {
    const out = new PipelineData('out');
    python('first', [], { outputs: [out] });
    throwsValidation(
      () => python('second', [], { outputs: [out] }),
      'PythonScriptStep(second).outputs[0]: PipelineData "out" is already an output of step "first"; a PipelineData has one writer (make another PipelineData for step "second")',
    );
  });

  it('checks option shapes with object paths and snake_case hints', () => {
    throwsValidation(
      () => new PythonScriptStep({ name: 'train', script_name: 'train.py', sourceDirectory: src } as never),
      '2 problems:\n  - PythonScriptStep(train).scriptName: Invalid input: expected string, received undefined\n  - PythonScriptStep(train): unknown option "script_name" (did you mean "scriptName"?)',
    );
    throwsValidation(
      () => python('train', ['--x', { path: 'x' } as never]),
      'PythonScriptStep(train).arguments[1]: expected a string, a finite number, a PipelineData (or .asInput(...)), a DataReference or a PipelineParameter',
    );
    throwsValidation(() => python('train', [Number.POSITIVE_INFINITY]), 'PythonScriptStep(train).arguments[0]: expected a string, a finite number, a PipelineData (or .asInput(...)), a DataReference or a PipelineParameter');
    throwsValidation(
      () => new PythonScriptStep({ name: 'train', scriptName: '../escape.py', sourceDirectory: src }),
      'PythonScriptStep(train).scriptName: must be a path inside sourceDirectory (relative, without "..")',
    );
    throwsValidation(
      () => python('bad name', []),
      'PythonScriptStep(bad name).name: invalid name "bad name" (use letters, digits, "_" and "-", starting with a letter or "_")',
    );
    throwsValidation(() => python('train', [], { environment: 'conda.yml' }), 'PythonScriptStep(train).environment: a named environment is azureml:NAME:VERSION or azureml://registries/... (or give { image, condaFile? })');
    throwsValidation(() => python('train', [], { retry: { maxAttempts: 0 } }), 'PythonScriptStep(train).retry.maxAttempts: Too small: expected number to be >=1');
    throwsValidation(() => python('train', [], { environmentVariables: { 'BAD-NAME': 'x' } }), 'PythonScriptStep(train).environmentVariables.BAD-NAME: invalid environment variable name (letters, digits and "_", not starting with a digit)');
  });
});

describe('CommandStep', () => {
  it('keeps an Azure ML template that names its own inputs and outputs', () => {
    const words = new PipelineData('words');
    const text = new DataReference({ localPath: src, dataReferenceName: 'text' });
    const step = new CommandStep({ name: 'count', command: 'wc -w ${{inputs.text}}/train.py $[[--x ${{inputs.text}}]] > ${{outputs.words}}/n', inputs: [text], outputs: [words] });
    const def = compile(step).count!;
    assert.equal(def.command, 'wc -w ${{inputs.text}}/train.py $[[--x ${{inputs.text}}]] > ${{outputs.words}}/n');
    assert.equal(def.codeDir, undefined);
    assert.deepEqual(Object.keys(def.inputs), ['text']);
  });

  it('rejects template references to undeclared names and bad syntax', () => {
    throwsValidation(
      () => compile(new CommandStep({ name: 'c', command: 'cat ${{inputs.data}} > ${{outputs.out}}' })),
      '2 problems:\n  - steps[0] (c).command: ${{inputs.data}} names no input of this step (inputs: none)\n  - steps[0] (c).command: ${{outputs.out}} names no output of this step (outputs: none)',
    );
    throwsValidation(
      () => compile(new CommandStep({ name: 'c', command: 'echo ${{inputs.x' })),
      'steps[0] (c).command: "${{" is never closed (write ${{inputs.NAME}} or ${{outputs.NAME}})',
    );
    throwsValidation(() => new CommandStep({ name: 'c', command: [] }), 'CommandStep(c).command: the command list is empty');
    throwsValidation(() => new CommandStep({ name: 'c', command: 5 as never }), 'CommandStep(c).command: expected a command string or a list of arguments');
  });

  it('checks a given source folder and records it', () => {
    assert.equal(compile(new CommandStep({ name: 'ls', command: 'ls', sourceDirectory: src })).ls!.codeDir, src);
    throwsValidation(() => compile(new CommandStep({ name: 'ls', command: 'ls', sourceDirectory: path.join(src, 'none') })), `steps[0] (ls): source directory ${path.join(src, 'none')} does not exist`);
  });
});

describe('DatabricksStep', () => {
  it('compiles a notebook run to a databricks step: Jobs API settings in the command, widgets as inputs', () => {
    const raw = new DataReference({ datastore: 'workspaceblobstore', pathOnDatastore: 'raw', dataReferenceName: 'raw' });
    const features = new PipelineData('features');
    const alpha = new PipelineParameter({ name: 'alpha', defaultValue: 0.1 });
    const step = new DatabricksStep({
      name: 'featurize',
      notebookPath: '/Shared/featurize',
      notebookParams: { mode: 'full', reg: alpha, folds: 5 },
      inputs: [raw],
      outputs: [features],
      sparkVersion: '15.4.x-scala2.12',
      nodeType: 'Standard_DS3_v2',
      numWorkers: 2,
      computeTarget: 'adb',
      timeoutSeconds: 600,
    });
    const pipeline = new Pipeline({ steps: [step] }).toDefinition();
    const def = pipeline.steps.featurize!;
    assert.equal(def.kind, 'databricks');
    assert.equal(def.compute, 'adb');
    assert.equal(def.timeoutSeconds, 600);
    assert.deepEqual(JSON.parse(def.command), {
      run_name: 'featurize',
      new_cluster: { spark_version: '15.4.x-scala2.12', node_type_id: 'Standard_DS3_v2', num_workers: 2 },
      notebook_task: { notebook_path: '/Shared/featurize' },
    });
    assert.deepEqual(def.inputs, {
      raw: { type: 'uri_folder', optional: false, binding: { kind: 'datastorePath', type: 'uri_folder', datastore: 'workspaceblobstore', path: 'raw' } },
      mode: { type: 'string', optional: false, binding: { kind: 'literal', type: 'string', value: 'full' } },
      reg: { type: 'number', optional: false, binding: { kind: 'pipelineInput', name: 'alpha' } },
      folds: { type: 'string', optional: false, binding: { kind: 'literal', type: 'string', value: '5' } },
    });
    assert.deepEqual(pipeline.inputs, { alpha: { type: 'number', default: 0.1 } });
  });

  it('compiles a Python script from a source folder on an existing cluster', () => {
    const step = new DatabricksStep({ name: 'score', pythonScriptName: 'train.py', sourceDirectory: src, pythonScriptParams: ['--k', 3], existingClusterId: '0101-abc', runName: 'nightly', computeTarget: 'adb' });
    const def = new Pipeline({ steps: [step] }).toDefinition().steps.score!;
    assert.deepEqual(JSON.parse(def.command), { run_name: 'nightly', existing_cluster_id: '0101-abc', spark_python_task: { python_file: 'train.py', parameters: ['--k', '3'] } });
    assert.equal(def.codeDir, src);
    throwsValidation(
      () => new Pipeline({ steps: [new DatabricksStep({ name: 'score', pythonScriptName: 'gone.py', sourceDirectory: src, existingClusterId: 'c', computeTarget: 'adb' })] }).toDefinition(),
      `steps[0] (score): script 'gone.py' not found in ${src}`,
    );
  });

  it('rejects option combinations Azure ML rejects', () => {
    throwsValidation(
      () => new DatabricksStep({ name: 'x', notebookPath: '/n', pythonScriptPath: 'dbfs:/a.py', existingClusterId: 'c' }),
      'DatabricksStep(x): give exactly one of notebookPath, pythonScriptPath, pythonScriptName (got notebookPath, pythonScriptPath)',
    );
    throwsValidation(
      () => new DatabricksStep({ name: 'x', notebookPath: '/n', existingClusterId: 'c', numWorkers: 2 }),
      'DatabricksStep(x): give existingClusterId, or sparkVersion, nodeType and numWorkers for a new cluster (not both)',
    );
    throwsValidation(
      () => new DatabricksStep({ name: 'x', pythonScriptPath: 'dbfs:/a.py', notebookParams: { a: 'b' }, sparkVersion: 'v', nodeType: 'n', numWorkers: 1 }),
      'DatabricksStep(x).notebookParams: only applies with notebookPath',
    );
    throwsValidation(() => new DatabricksStep({ name: 'x', pythonScriptPath: '/a.py', existingClusterId: 'c' }), 'DatabricksStep(x).pythonScriptPath: must be a DBFS path (dbfs:/...)');
    throwsValidation(() => new DatabricksStep({ name: 'x', pythonScriptName: 'a.py', existingClusterId: 'c' }), 'DatabricksStep(x).sourceDirectory: give sourceDirectory exactly when using pythonScriptName');
  });
});

describe('DataTransferStep', () => {
  it('compiles to a data_transfer step reading "source" and writing a PipelineData or a datastore path', () => {
    const staged = new PipelineData('staged');
    const source = new DataReference({ datastore: 'landing', pathOnDatastore: 'in/today.csv', dataReferenceName: 'today', isFile: true });
    const stage = new DataTransferStep({ name: 'stage', sourceDataReference: source, destinationDataReference: staged, computeTarget: 'adf', sourceReferenceType: 'file' });
    const archive = new DataTransferStep({
      name: 'archive',
      sourceDataReference: staged,
      destinationDataReference: new DataReference({ datastore: 'archive', pathOnDatastore: 'kept', dataReferenceName: 'kept' }),
      computeTarget: 'adf',
      destinationReferenceType: 'directory',
    });
    const defs = new Pipeline({ steps: [stage, archive] }).toDefinition().steps;
    assert.equal(defs.stage!.kind, 'data_transfer');
    assert.deepEqual(JSON.parse(defs.stage!.command), { source_reference_type: 'file', destination: { output: 'staged' } });
    assert.deepEqual(defs.stage!.inputs, { source: { type: 'uri_file', optional: false, binding: { kind: 'datastorePath', type: 'uri_file', datastore: 'landing', path: 'in/today.csv' } } });
    assert.deepEqual(defs.stage!.outputs, { staged: { type: 'uri_folder' } });
    assert.deepEqual(JSON.parse(defs.archive!.command), { destination: { datastore: 'archive', path: 'kept' }, destination_reference_type: 'directory' });
    assert.deepEqual(defs.archive!.inputs, { source: { type: 'uri_folder', optional: false, binding: { kind: 'stepOutput', step: 'stage', output: 'staged' } } });
  });

  it('rejects a local destination', () => {
    throwsValidation(
      () => new DataTransferStep({ name: 't', sourceDataReference: new PipelineData('a'), destinationDataReference: new DataReference({ localPath: src }) }),
      'DataTransferStep(t).destinationDataReference: expected a datastore path or a PipelineData (data transfer does not write to local paths)',
    );
  });
});

describe('AdlaStep', () => {
  it('says Azure Data Lake Analytics is retired and names DatabricksStep', () => {
    throwsValidation(
      () => new AdlaStep({ name: 'usql', scriptName: 'job.usql' }),
      'AdlaStep(usql): Azure Data Lake Analytics was retired on 2024-02-29, so AdlaStep cannot run; use DatabricksStep (a notebook or Python script on a Databricks cluster, e.g. Spark SQL in place of U-SQL) instead',
      'AdlaStep(usql)',
    );
  });
});
