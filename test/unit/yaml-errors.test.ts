import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../shared/errors';
import { compilePipelineYamlText } from '../../shared/model/yaml/compile';
import { memoryFiles, ROOT } from '../fixtures/yaml/memory-files';

const P = `${ROOT}/pipeline.yml`;

const TRAIN = `$schema: https://azuremlschemas.azureedge.net/latest/commandComponent.schema.json
name: train
type: command
inputs:
  data: {type: uri_folder}
  lr: {type: number, default: 0.1}
  epochs: {type: integer}
  flag: {type: boolean, optional: true}
outputs:
  model: {type: uri_folder}
code: ../src
command: python train.py --data \${{inputs.data}} --epochs \${{inputs.epochs}} $[[--flag \${{inputs.flag}}]] --model \${{outputs.model}}
`;
const TREE = { 'components/train.yml': TRAIN, 'src/train.py': '', 'src/prep.py': '', 'data/': '' };

async function problemsOf(yaml: string, tree: Record<string, string> = {}): Promise<string[]> {
  try {
    await compilePipelineYamlText(yaml, P, memoryFiles({ ...TREE, ...tree }), { warn: () => {} });
  } catch (err) {
    assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${String(err)}`);
    assert.equal(err.status, 400);
    return err.problems;
  }
  assert.fail('expected a ValidationError');
}

const cases: { name: string; yaml: string; tree?: Record<string, string>; problems: string[] }[] = [
  {
    name: 'unknown key, with did-you-mean',
    yaml: `type: pipeline
jobs:
  prep:
    comand: python prep.py
    code: ./src
`,
    problems: [`${P}:4: jobs.prep.comand: unknown key (did you mean "command"?)`],
  },
  {
    name: 'unknown keys at the top and in settings',
    yaml: `type: pipeline
setings: {}
display-name: x
jobs:
  a: {command: echo}
`,
    problems: [`${P}:2: setings: unknown key (did you mean "settings"?)`, `${P}:3: display-name: unknown key (did you mean "display_name"?)`],
  },
  {
    name: 'unknown key in a component file, at its own line',
    yaml: `type: pipeline
jobs:
  train:
    component: ./components/bad.yml
`,
    tree: { 'components/bad.yml': 'type: command\ncommand: echo\ninputs:\n  x: {type: string, defualt: a}\n' },
    problems: [`${ROOT}/components/bad.yml:4: inputs.x.defualt: unknown key (did you mean "default"?)`],
  },
  {
    name: 'malformed YAML',
    yaml: `type: pipeline
jobs:
  prep: [a, b
  x: 1
`,
    problems: [`${P}:4:3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]`],
  },
  {
    name: 'two YAML documents in one file',
    yaml: `type: pipeline
jobs:
  a: {type: command, command: echo hi}
---
type: pipeline
`,
    problems: [`${P}:4:1: invalid YAML: a second YAML document starts here; a pipeline or component file holds one (remove this "---" and what follows, or move it to a file of its own)`],
  },
  {
    name: 'duplicate job names',
    yaml: `type: pipeline
jobs:
  prep:
    command: echo 1
  prep:
    command: echo 2
`,
    problems: [`${P}:5: jobs.prep: defined twice, at lines 3 and 5 (rename or remove one)`],
  },
  {
    name: 'unknown job, output and pipeline input in bindings; wrong literal; unknown input (all in one pass)',
    yaml: `type: pipeline
inputs:
  lr: 0.1
jobs:
  prep:
    command: python prep.py --out \${{outputs.cleaned}}
    code: ./src
    outputs:
      cleaned:
      stats:
  train:
    component: ./components/train.yml
    inputs:
      data: \${{parent.jobs.prep.outputs.clean}}
      epochs: \${{parent.inputs.epochs}}
      lr: \${{parent.jobs.prepp.outputs.cleaned}}
      flag: yes
      flags: true
`,
    problems: [
      `${P}:14: jobs.train.inputs.data: unknown output "clean" of job "prep" (known: cleaned, stats)`,
      `${P}:15: jobs.train.inputs.epochs: unknown pipeline input "epochs" (known pipeline inputs: lr)`,
      `${P}:16: jobs.train.inputs.lr: unknown job "prepp" (known: prep, train)`,
      `${P}:17: jobs.train.inputs.flag: wrong parameter type: expected boolean, got "yes"`,
      `${P}:18: jobs.train.inputs.flags: unknown input of the component (did you mean "flag"?)`,
    ],
  },
  {
    name: 'wrong literal types and a scalar bound where the component wants a number',
    yaml: `type: pipeline
inputs:
  mode: fast
jobs:
  train:
    component: ./components/train.yml
    inputs:
      data: ./data
      epochs: ten
      lr: \${{parent.inputs.mode}}
`,
    problems: [
      `${P}:9: jobs.train.inputs.epochs: wrong parameter type: expected integer, got "ten"`,
      `${P}:10: jobs.train.inputs.lr: expects number but is bound to a string`,
    ],
  },
  {
    name: 'wrong pipeline input types',
    yaml: `type: pipeline
inputs:
  a: {type: integer, default: 0.5}
  b: {type: number, path: ./data}
  c: {default: 1, value: 2}
  d: {optional: true}
  e: {type: mltable, path: ./data}
jobs:
  x: {command: echo}
`,
    problems: [
      `${P}:3: inputs.a.default: wrong parameter type: expected integer, got 0.5`,
      `${P}:4: inputs.b.path: path is for uri_folder and uri_file inputs; a number input takes default`,
      `${P}:5: inputs.c: give only one of default, value`,
      `${P}:6: inputs.d: needs a type (uri_folder, uri_file, integer, number, string or boolean)`,
      `${P}:7: inputs.e.type: expected "uri_folder", "uri_file", "integer", "number", "string" or "boolean", got "mltable"`,
    ],
  },
  {
    name: 'missing component file, code folder and script; undeclared names in commands; unbound required input',
    yaml: `type: pipeline
jobs:
  a:
    component: ./components/nope.yml
  b:
    command: python missing.py --x \${{inputs.q}}
    code: ./nothere
  c:
    command: python -u missing.py \${{outputs.o}} \${{search_space.x}}
    code: ./src
  d:
    component: file:./components/train.yml
    inputs: {data: ./data}
`,
    problems: [
      `${P}:4: jobs.a.component: component file ${ROOT}/components/nope.yml not found (paths are relative to the folder of ${P})`,
      `${P}:7: jobs.b.code: code folder ${ROOT}/nothere not found (paths are relative to the folder of ${P})`,
      `${P}:6: jobs.b.command: \${{inputs.q}} refers to an undeclared input (declared inputs: none)`,
      `${P}:9: jobs.c.command: unsupported expression \${{search_space.x}} (a command can use \${{inputs.NAME}} and \${{outputs.NAME}})`,
      `${P}:9: jobs.c.command: \${{outputs.o}} refers to an undeclared output (declared outputs: none)`,
      `${P}:9: jobs.c.command: missing script "missing.py": ${ROOT}/src/missing.py not found (scripts are relative to the code folder ${ROOT}/src)`,
      `${P}:13: jobs.d.inputs.epochs: required input of the component is not bound (bind it under the job's inputs:, or give it a default in the component)`,
    ],
  },
  {
    name: 'problems inside a component file point into it',
    yaml: `type: pipeline
jobs:
  train:
    component: ./components/bad.yml
`,
    tree: {
      'components/bad.yml': `type: command
inputs:
  n: {type: integer, default: many}
  d: {type: uri_folder, default: ./x}
  "bad name": {type: string}
code: ./src
environment: {image: x, conda_file: ./conda.yml}
command: python run.py \${{inputs.m}}
`,
    },
    problems: [
      `${ROOT}/components/bad.yml:3: inputs.n.default: wrong parameter type: expected integer, got "many"`,
      `${ROOT}/components/bad.yml:4: inputs.d.default: a uri_folder input takes no default here (bind it in the pipeline job's inputs)`,
      `${ROOT}/components/bad.yml:5: inputs.bad name: invalid name (use letters, digits, "_" and "-", starting with a letter or "_"; names become folder names)`,
      `${ROOT}/components/bad.yml:6: code: code folder ${ROOT}/components/src not found (paths are relative to the folder of ${ROOT}/components/bad.yml)`,
      `${ROOT}/components/bad.yml:7: environment.conda_file: conda file ${ROOT}/components/conda.yml not found (paths are relative to the folder of ${ROOT}/components/bad.yml)`,
      `${ROOT}/components/bad.yml:8: command: \${{inputs.m}} refers to an undeclared input (did you mean "n"?)`,
    ],
  },
  {
    name: 'a cycle, printed with the jobs\' lines',
    yaml: `type: pipeline
jobs:
  prep:
    command: echo \${{inputs.m}} > \${{outputs.d}}/x
    inputs:
      m: \${{parent.jobs.train.outputs.model}}
    outputs:
      d:
  train:
    component: ./components/train.yml
    inputs:
      data: \${{parent.jobs.prep.outputs.d}}
      epochs: 3
`,
    problems: [`${P}:3: cycle: prep -> train -> prep (prep at ${P}:3, train at ${P}:9; remove one of these bindings: train.inputs.data, prep.inputs.m)`],
  },
  {
    name: 'unsupported job and component types',
    yaml: `type: pipeline
jobs:
  sweep_step:
    type: sweep
    sampling_algorithm: random
    trial: ./components/train.yml
  para:
    component: {type: parallel, mini_batch_size: 10}
`,
    problems: [
      `${P}:4: jobs.sweep_step.type: job type "sweep" is not supported (Tributary runs command jobs: an inline command or a command component)`,
      `${P}:8: jobs.para.component.type: component type "parallel" is not supported (Tributary runs command components)`,
    ],
  },
  {
    name: 'data paths that are unsafe, unsupported or missing',
    yaml: `type: pipeline
jobs:
  a:
    component: ./components/train.yml
    inputs:
      data: {type: uri_folder, path: "azureml://datastores/workspaceblobstore/paths/../secret"}
      epochs: 1
  b:
    component: ./components/train.yml
    inputs:
      data: azureml:iris:1
      epochs: 1
  c:
    component: ./components/train.yml
    inputs:
      data: {type: uri_file, path: ./data}
      epochs: 1
  d:
    component: ./components/train.yml
    inputs:
      data: ./missing
      epochs: {type: uri_folder, path: ./data}
`,
    problems: [
      `${P}:6: jobs.a.inputs.data.path: the path contains a "." or ".." segment: "azureml://datastores/workspaceblobstore/paths/../secret" (a datastore path must be relative, without ".." or control characters)`,
      `${P}:11: jobs.b.inputs.data: "azureml:iris:1" is not supported (use azureml://datastores/NAME/paths/PATH or a local path)`,
      `${P}:16: jobs.c.inputs.data.type: the component declares this input uri_folder`,
      `${P}:21: jobs.d.inputs.data: local uri_folder path ${ROOT}/missing not found (paths are relative to the folder of ${P})`,
      `${P}:22: jobs.d.inputs.epochs: the component declares this input integer: give a value, not a path`,
    ],
  },
  {
    name: 'pipeline outputs: unknown, written twice, never written',
    yaml: `type: pipeline
outputs:
  model: {type: uri_folder}
  unused:
jobs:
  a:
    component: ./components/train.yml
    inputs: {data: ./data, epochs: 1}
    outputs: {model: "\${{parent.outputs.model}}"}
  b:
    command: echo > \${{outputs.m}}
    outputs:
      m: \${{parent.outputs.model}}
      n: \${{parent.outputs.modle}}
      o: ./somewhere
`,
    problems: [
      `${P}:14: jobs.b.outputs.n: unknown pipeline output "modle" (known pipeline outputs: model, unused; declare it under the top-level outputs:)`,
      `${P}:15: jobs.b.outputs.o: expected \${{parent.outputs.NAME}}, a mapping with type and mode, or nothing, got "./somewhere"`,
      `${P}:13: jobs.b.outputs.m: pipeline output "model" is already written by jobs.a.outputs.model (a pipeline output takes one job output)`,
      `${P}:4: outputs.unused: no job writes this pipeline output (bind one: outputs: NAME: \${{parent.outputs.unused}})`,
    ],
  },
  {
    name: 'wrong value types, reported with what was found',
    yaml: `type: pipeline
settings: {continue_on_step_failure: "yes"}
jobs:
  a:
    command: [echo, hi]
    compute: 3
    inputs:
      x: [1, 2]
    tributary: {retry: {max_attempts: 0}, timeout_seconds: -1}
`,
    problems: [
      `${P}:2: settings.continue_on_step_failure: expected a boolean (true or false), got "yes"`,
      `${P}:5: jobs.a.command: expected a string, got a list`,
      `${P}:8: jobs.a.inputs.x: expected a string, a number, a boolean (true or false) or a mapping, got a list`,
      `${P}:6: jobs.a.compute: expected a string, got 3`,
      `${P}:9: jobs.a.tributary.retry.max_attempts: must be at least 1, got 0`,
      `${P}:9: jobs.a.tributary.timeout_seconds: must be more than 0, got -1`,
    ],
  },
  {
    name: 'not a pipeline job',
    yaml: 'type: command\ncommand: echo\n',
    problems: [
      `${P}:1: type: expected "pipeline", got "command"`,
      `${P}:1: jobs: required key is missing (add it)`,
      `${P}:2: command: unknown key (known keys: $schema, type, name, display_name, description, experiment_name, tags, identity, settings, inputs, outputs, jobs, tributary)`,
    ],
  },
  {
    name: 'an empty file',
    yaml: '',
    problems: [`${P}:1: (top level): expected a mapping, got an empty value`],
  },
  {
    name: 'aliases that expand too far (resource exhaustion)',
    yaml: ['type: pipeline', 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]', ...Array.from({ length: 8 }, (_, i) => `a${i + 1}: &a${i + 1} [${Array(10).fill(`*a${i}`).join(', ')}]`), 'jobs: {a: {command: echo}}'].join('\n'),
    problems: [`${P}:1: invalid YAML: Excessive alias count indicates a resource exhaustion attack`],
  },
  {
    name: 'no jobs',
    yaml: 'type: pipeline\njobs: {}\n',
    problems: [`${P}:2: jobs: a pipeline needs at least one job`],
  },
  {
    name: 'command next to component, a job without command, bad names, conflicting timeouts',
    yaml: `type: pipeline
settings: {on_init: prep}
jobs:
  a:
    component: ./components/train.yml
    command: echo hi
    inputs: {data: ./data, epochs: 1}
    limits: {timeout: 10}
    tributary: {timeout_seconds: 5}
    environment_variables: {"1BAD": x, GOOD: 1, EPOCHS: "\${{inputs.epochs}}", SEED: "\${{inputs.seed}}"}
  "bad name":
    display_name: nothing to run
`,
    problems: [
      `${P}:2: settings.on_init: not supported by Tributary (setup and teardown jobs)`,
      `${P}:6: jobs.a.command: belongs in the component, not next to component: (move or remove it)`,
      `${P}:9: jobs.a.tributary.timeout_seconds: limits.timeout sets the timeout too (keep one of them)`,
      `${P}:10: jobs.a.environment_variables.1BAD: invalid environment variable name (letters, digits and "_", not starting with a digit)`,
      `${P}:10: jobs.a.environment_variables.SEED: \${{inputs.seed}} refers to an undeclared input (declared inputs: data, lr, epochs, flag)`,
      `${P}:11: jobs.bad name: invalid name (use letters, digits, "_" and "-", starting with a letter or "_"; names become folder names)`,
      `${P}:11: jobs.bad name: a job needs command: (an inline command) or component: (a command component file)`,
    ],
  },
  {
    name: 'malformed command templates and unsupported expressions in bindings',
    yaml: `type: pipeline
inputs: {x: 1}
jobs:
  a:
    command: echo $[[\${{inputs.v}}
    inputs:
      v: prefix-\${{parent.inputs.x}}
  b:
    component: azureml:train:3
  c:
    command: echo
    code: azureml:code:1
    environment: python:3.11
`,
    problems: [
      `${P}:5: jobs.a.command: "$[[" is never closed with "]]"`,
      `${P}:9: jobs.b.component: only local component files are supported, got "azureml:train:3" (save the component YAML next to the pipeline and write component: ./NAME.yml)`,
      `${P}:12: jobs.c.code: only local code folders are supported, got "azureml:code:1" (point code: at a folder next to the YAML)`,
      `${P}:13: jobs.c.environment: expected azureml:NAME:VERSION, azureml:NAME@latest, azureml://registries/... or a mapping with image and conda_file, got "python:3.11"`,
      `${P}:7: jobs.a.inputs.v: unsupported expression "prefix-\${{parent.inputs.x}}" (bind a whole value: \${{parent.inputs.NAME}} or \${{parent.jobs.JOB.outputs.NAME}})`,
    ],
  },
];

describe('compilePipelineYamlText rejects bad pipelines with file:line messages', () => {
  for (const c of cases) {
    it(c.name, async () => assert.deepEqual(await problemsOf(c.yaml, c.tree), c.problems));
  }

  it('throws one ValidationError whose message lists every problem', async () => {
    await assert.rejects(
      compilePipelineYamlText('type: pipeline\njobs:\n  a: {comand: x}\n  b: {command: echo, compute: 3}\n', P, memoryFiles({}), { warn: () => {} }),
      (err: unknown) => {
        assert.ok(err instanceof ValidationError);
        assert.equal(
          err.message,
          `2 problems:\n  - ${P}:3: jobs.a.comand: unknown key (did you mean "command"?)\n  - ${P}:4: jobs.b.compute: expected a string, got 3`,
        );
        assert.equal(err.target, `${P}:3`);
        return true;
      },
    );
  });
});
