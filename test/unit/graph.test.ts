import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../shared/errors';
import type { InputBinding, PipelineDefinition, StepDefinition, StepInputSpec } from '../../shared/model/definition';
import { assertAcyclic, bindingTypeProblem, stepDependencies, topologicalOrder, validateDefinition } from '../../shared/model/graph';

const fromStep = (step: string, output = 'out'): InputBinding => ({ kind: 'stepOutput', step, output });
const input = (binding: InputBinding | undefined, type: StepInputSpec['type'] = 'uri_folder'): StepInputSpec => ({ type, optional: false, ...(binding ? { binding } : {}) });

function step(name: string, inputs: Record<string, StepInputSpec> = {}, line = 1): StepDefinition {
  return {
    name,
    kind: 'command',
    command: 'python run.py',
    compute: 'local',
    inputs,
    outputs: { out: { type: 'uri_folder' } },
    environmentVariables: {},
    allowReuse: true,
    retry: { maxAttempts: 1, initialDelaySeconds: 10 },
    origin: `pipeline.yml:${line}`,
  };
}

function pipeline(steps: StepDefinition[], extra: Partial<PipelineDefinition> = {}): PipelineDefinition {
  return {
    schemaVersion: 1,
    name: 'p',
    continueOnStepFailure: false,
    inputs: { lr: { type: 'number', default: 0.1 } },
    outputs: {},
    steps: Object.fromEntries(steps.map((s) => [s.name, s])),
    source: 'pipeline.yml',
    ...extra,
  };
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected a ValidationError');
}

// prep → (a, b) → join; lone has no inputs
const diamond = pipeline([
  step('join', { x: input(fromStep('a')), y: input(fromStep('b')) }, 9),
  step('a', { x: input(fromStep('prep')), lr: input({ kind: 'pipelineInput', name: 'lr' }, 'number') }, 3),
  step('lone', { n: input({ kind: 'literal', type: 'integer', value: 1 }, 'integer') }, 7),
  step('b', { x: input(fromStep('prep')) }, 5),
  step('prep', {}, 1),
]);

describe('stepDependencies', () => {
  it('maps every step, in definition order, to the steps whose outputs it reads', () => {
    assert.deepEqual(
      stepDependencies(diamond),
      new Map([
        ['join', new Set(['a', 'b'])],
        ['a', new Set(['prep'])],
        ['lone', new Set()],
        ['b', new Set(['prep'])],
        ['prep', new Set()],
      ]),
    );
  });
});

describe('topologicalOrder', () => {
  it('puts every step after its upstream steps, ready steps in definition order', () => {
    assert.deepEqual(topologicalOrder(diamond), ['lone', 'prep', 'a', 'b', 'join']);
  });

  it('handles a chain deeper than the call stack', () => {
    const chain = Array.from({ length: 20_000 }, (_, i) => step(`s${i}`, i === 0 ? {} : { x: input(fromStep(`s${i - 1}`)) }));
    const order = topologicalOrder(pipeline(chain.reverse()));
    assert.equal(order[0], 's0');
    assert.equal(order[19_999], 's19999');
  });

  it('throws naming the cycle', () => {
    const cyclic = pipeline([step('prep', { m: input(fromStep('train')) }, 3), step('train', { d: input(fromStep('prep')) }, 8)]);
    assert.deepEqual(problemsOf(() => topologicalOrder(cyclic)), [
      'pipeline.yml:3: cycle: prep -> train -> prep (prep at pipeline.yml:3, train at pipeline.yml:8; remove one of these bindings: train.inputs.d, prep.inputs.m)',
    ]);
  });
});

describe('assertAcyclic', () => {
  it('accepts a DAG', () => assert.doesNotThrow(() => assertAcyclic(diamond)));

  it('names every cycle once, starting at the step defined first, with each step origin', () => {
    const cyclic = pipeline([
      step('ok', {}, 1),
      step('c', { x: input(fromStep('b')) }, 20),
      step('a', { x: input(fromStep('c')), y: input(fromStep('ok')) }, 10),
      step('b', { x: input(fromStep('a')) }, 15),
      step('self', { x: input(fromStep('self')) }, 30),
    ]);
    assert.deepEqual(problemsOf(() => assertAcyclic(cyclic)), [
      'pipeline.yml:20: cycle: c -> a -> b -> c (c at pipeline.yml:20, a at pipeline.yml:10, b at pipeline.yml:15; remove one of these bindings: a.inputs.x, b.inputs.x, c.inputs.x)',
      'pipeline.yml:30: cycle: self -> self (self at pipeline.yml:30; remove one of these bindings: self.inputs.x)',
    ]);
  });
});

describe('bindingTypeProblem', () => {
  const cases: [StepInputSpec['type'], StepInputSpec['type'], string | undefined][] = [
    ['number', 'integer', undefined],
    ['string', 'boolean', undefined],
    ['uri_file', 'uri_folder', undefined],
    ['integer', 'number', 'expects integer but is bound to a number'],
    ['integer', 'uri_folder', 'expects integer but is bound to a uri_folder'],
    ['uri_folder', 'string', 'expects uri_folder but is bound to a string'],
  ];
  for (const [declared, provided, want] of cases) it(`${provided} into ${declared}`, () => assert.equal(bindingTypeProblem(declared, provided), want));
});

describe('validateDefinition', () => {
  it('accepts a valid definition', () => assert.doesNotThrow(() => validateDefinition(diamond, { knownComputes: ['local'] })));

  it('says how to map an unknown compute the way its caller maps computes', () => {
    const def = pipeline([{ ...step('train'), compute: 'azureml:gpu' }]);
    assert.deepEqual(problemsOf(() => validateDefinition(def, { knownComputes: ['local'], computeMapHint: (c) => `--compute ${c}=local` })), [
      'pipeline.yml:1: steps.train.compute: unknown compute "azureml:gpu" (known: local; to run it here, map it with --compute azureml:gpu=local)',
    ]);
  });

  const broken: { name: string; def: PipelineDefinition; knownComputes?: string[]; problems: string[] }[] = [
    {
      name: 'unknown upstream step, output and pipeline input',
      def: pipeline([
        step('prep'),
        step('train', { a: input(fromStep('prepp')), b: input(fromStep('prep', 'clean')), c: input({ kind: 'pipelineInput', name: 'rate' }, 'number') }, 4),
      ]),
      problems: [
        'pipeline.yml:4: steps.train.inputs.a: unknown step "prepp" (known: prep, train)',
        'pipeline.yml:4: steps.train.inputs.b: unknown output "clean" of step "prep" (known: out)',
        'pipeline.yml:4: steps.train.inputs.c: unknown pipeline input "rate" (known: lr)',
      ],
    },
    {
      name: 'names that cannot be folder names, and names that clash by case',
      def: pipeline([step('../etc'), { ...step('Train'), outputs: { 'a b': { type: 'uri_folder' }, out: { type: 'uri_folder' }, OUT: { type: 'uri_folder' } } }, step('train', { '': input(undefined, 'string') })], {
        inputs: { 'x/y': { type: 'string' } },
      }),
      problems: [
        'pipeline.yml: inputs.x/y: invalid name (use letters, digits, "_" and "-", starting with a letter or "_" (names become folder names))',
        'pipeline.yml: steps.train: clashes with "Train" (names must differ in more than letter case)',
        'pipeline.yml:1: steps.../etc: invalid step name (use letters, digits, "_" and "-", starting with a letter or "_" (names become folder names))',
        'pipeline.yml:1: steps.Train.outputs.a b: invalid output name (use letters, digits, "_" and "-", starting with a letter or "_" (names become folder names))',
        'pipeline.yml:1: steps.Train.outputs.OUT: clashes with "out" (names must differ in more than letter case)',
        'pipeline.yml:1: steps.train.inputs.: invalid input name (use letters, digits, "_" and "-", starting with a letter or "_" (names become folder names))',
        'pipeline.yml:1: steps.train.inputs.: required input has no binding (bind it, or declare it optional)',
      ],
    },
    {
      name: 'pipeline outputs bound to unknown steps or outputs',
      def: pipeline([step('train')], { outputs: { model: { step: 'trian', output: 'out' }, stats: { step: 'train', output: 'stats' } } }),
      problems: [
        'pipeline.yml: outputs.model: bound to unknown step "trian" (known: train)',
        'pipeline.yml: outputs.stats: bound to unknown output "stats" of step "train" (known: out)',
      ],
    },
    {
      name: 'unknown compute',
      def: pipeline([{ ...step('train'), compute: 'azureml:gpu-cluster' }]),
      knownComputes: ['local', 'batch-gpu'],
      problems: ['pipeline.yml:1: steps.train.compute: unknown compute "azureml:gpu-cluster" (known: local, batch-gpu)'],
    },
    {
      name: 'commands and environment values that use undeclared names, or an optional input without a value outside $[[ ... ]]',
      def: pipeline([
        {
          ...step('train', { seed: { type: 'integer', optional: true }, data: input({ kind: 'stepOutput', step: 'prep', output: 'out' }) }),
          command: 'python t.py ${{inputs.data}} ${{inputs.epochs}} --seed ${{inputs.seed}} $[[--again ${{inputs.seed}}]] > ${{outputs.log}}/x',
          environmentVariables: { SEED: '$[[${{inputs.seed}}]]', BAD: '${{inputs.lr' },
        },
        step('prep'),
      ]),
      problems: [
        'pipeline.yml:1: steps.train.command: unknown reference ${{inputs.epochs}} (known inputs: seed, data)',
        'pipeline.yml:1: steps.train.command: unknown reference ${{outputs.log}} (known outputs: out)',
        'pipeline.yml:1: steps.train.command: ${{inputs.seed}} has no value: input "seed" is optional and unbound (bind it, or put the part that uses it inside $[[ ... ]])',
        'pipeline.yml:1: steps.train.environmentVariables.BAD: "${{" is never closed (write ${{inputs.NAME}} or ${{outputs.NAME}})',
      ],
    },
    {
      name: 'bindings of the wrong type, unsafe datastore paths, relative local paths',
      def: pipeline(
        [
          step('prep'),
          step('train', {
            epochs: input({ kind: 'literal', type: 'integer', value: 2.5 }, 'integer'),
            lr: input(fromStep('prep'), 'number'),
            data: input({ kind: 'datastorePath', type: 'uri_folder', datastore: 'workspaceblobstore', path: 'a/../../secrets' }),
            file: input({ kind: 'localPath', type: 'uri_file', path: 'data/x.csv' }, 'uri_file'),
            flag: input({ kind: 'pipelineInput', name: 'lr' }, 'boolean'),
          }),
        ],
        { inputs: { lr: { type: 'number', default: 'fast' }, root: { type: 'uri_folder', default: 'azureml://datastores/ws/paths/..' } } },
      ),
      problems: [
        'pipeline.yml: inputs.lr.default: wrong parameter type: expected number, got "fast"',
        'pipeline.yml: inputs.root.default: the path contains a "." or ".." segment: "azureml://datastores/ws/paths/.."',
        'pipeline.yml:1: steps.train.inputs.epochs: wrong parameter type: expected integer, got 2.5',
        'pipeline.yml:1: steps.train.inputs.lr: expects number but is bound to a uri_folder',
        'pipeline.yml:1: steps.train.inputs.data: the path contains a "." or ".." segment',
        'pipeline.yml:1: steps.train.inputs.file: local path must be absolute, got "data/x.csv"',
        'pipeline.yml:1: steps.train.inputs.flag: expects boolean but is bound to a number',
      ],
    },
    {
      name: 'inconsistent step fields',
      def: pipeline([], { steps: { train: { ...step('other'), codeDir: 'src', retry: { maxAttempts: 0, initialDelaySeconds: -1 }, timeoutSeconds: 0 } } }),
      problems: [
        'pipeline.yml:1: steps.train.name: "other" differs from the step\'s key "train"',
        'pipeline.yml:1: steps.train.codeDir: must be an absolute path, got "src"',
        'pipeline.yml:1: steps.train.retry.maxAttempts: must be an integer of at least 1',
        'pipeline.yml:1: steps.train.retry.initialDelaySeconds: must be 0 or more',
        'pipeline.yml:1: steps.train.timeoutSeconds: must be more than 0',
      ],
    },
    {
      name: 'cycles, together with other problems',
      def: pipeline([step('a', { x: input(fromStep('b')), y: input(fromStep('zz')) }, 2), step('b', { x: input(fromStep('a')) }, 6)]),
      problems: [
        'pipeline.yml:2: steps.a.inputs.y: unknown step "zz" (known: a, b)',
        'pipeline.yml:2: cycle: a -> b -> a (a at pipeline.yml:2, b at pipeline.yml:6; remove one of these bindings: b.inputs.x, a.inputs.x)',
      ],
    },
  ];
  for (const c of broken) {
    it(`rejects: ${c.name}`, () => {
      assert.deepEqual(problemsOf(() => validateDefinition(c.def, c.knownComputes ? { knownComputes: c.knownComputes } : {})), c.problems);
    });
  }
});
