import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../shared/errors';
import type { InputType, PipelineDefinition, PipelineInputSpec, ScalarValue } from '../../shared/model/definition';
import { coerceLiteral, parseDatastoreUri, parseScalarText, parseSetFlags, resolveParameters } from '../../shared/model/parameters';

function pipeline(inputs: Record<string, PipelineInputSpec>): PipelineDefinition {
  return { schemaVersion: 1, name: 'p', continueOnStepFailure: false, inputs, outputs: {}, steps: {}, source: 'pipeline.yml' };
}

const def = pipeline({
  lr: { type: 'number', default: 0.01 },
  epochs: { type: 'integer', default: 10 },
  verbose: { type: 'boolean', default: false },
  tag: { type: 'string', optional: true },
  data: { type: 'uri_folder' },
});

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${String(err)}`);
    return err.problems;
  }
  assert.fail('expected a ValidationError');
}

describe('resolveParameters', () => {
  it('applies defaults and leaves optional inputs without value out', () => {
    assert.deepEqual(resolveParameters(def, { data: '/d' }, '--set'), { lr: 0.01, epochs: 10, verbose: false, data: '/d' });
  });

  it('parses text overrides (CLI) to the declared type', () => {
    const got = resolveParameters(def, { lr: '1e-3', epochs: '20', verbose: 'True', tag: '42', data: 'azureml://datastores/workspaceblobstore/paths/iris/' }, '--set');
    assert.deepEqual(got, { lr: 0.001, epochs: 20, verbose: true, tag: '42', data: 'azureml://datastores/workspaceblobstore/paths/iris/' });
  });

  it('takes JSON values (HTTP) of the declared type; a string input takes any scalar', () => {
    const got = resolveParameters(def, { lr: 1, epochs: 3, verbose: true, tag: 7, data: '/d' }, 'ParameterAssignments');
    assert.deepEqual(got, { lr: 1, epochs: 3, verbose: true, tag: '7', data: '/d' });
  });

  it('reports unknown names, wrong types and missing values together', () => {
    assert.deepEqual(problemsOf(() => resolveParameters(def, { learning_rate: '0.1', epochs: '2.5', verbose: 1, lr: 'fast' }, 'ParameterAssignments')), [
      'ParameterAssignments: inputs.learning_rate: unknown pipeline input (known: lr, epochs, verbose, tag, data)',
      'ParameterAssignments: inputs.lr: wrong parameter type: expected number, got "fast"',
      'ParameterAssignments: inputs.epochs: wrong parameter type: expected integer, got "2.5"',
      'ParameterAssignments: inputs.verbose: wrong parameter type: expected boolean, got 1',
      'ParameterAssignments: inputs.data: required pipeline input has no value (give it a value, or a default in the pipeline)',
    ]);
  });

  it('rejects datastore paths that escape', () => {
    assert.deepEqual(problemsOf(() => resolveParameters(def, { data: 'azureml://datastores/ws/paths/a/%2e%2e/b' }, '--set')), [
      '--set: inputs.data: the path contains a "." or ".." segment: "azureml://datastores/ws/paths/a/%2e%2e/b"',
    ]);
  });

  it('treats an own property named __proto__ as a name like any other', () => {
    const odd = pipeline(JSON.parse('{"__proto__": {"type": "string", "default": "x"}}'));
    assert.deepEqual(Object.keys(resolveParameters(odd, {}, '--set')), ['__proto__']);
  });
});

describe('parseScalarText and coerceLiteral', () => {
  const text: [InputType, string, ScalarValue | undefined][] = [
    ['integer', '42', 42],
    ['integer', '-7', -7],
    ['integer', '4.0', undefined],
    ['integer', '99999999999999999999', undefined],
    ['integer', '0x10', undefined],
    ['number', '.5', 0.5],
    ['number', '3', 3],
    ['number', '1e400', undefined],
    ['number', 'NaN', undefined],
    ['number', '', undefined],
    ['boolean', 'false', false],
    ['boolean', 'TRUE', true],
    ['boolean', 'yes', undefined],
    ['string', '', ''],
    ['uri_file', 'a.csv', 'a.csv'],
    ['uri_folder', '', undefined],
  ];
  for (const [type, input, want] of text) it(`text ${JSON.stringify(input)} as ${type}`, () => assert.equal(parseScalarText(type, input), want));

  const literal: [InputType, ScalarValue, ScalarValue | undefined][] = [
    ['integer', 3, 3],
    ['integer', 3.5, undefined],
    ['integer', '3', undefined],
    ['number', 3, 3],
    ['number', Infinity, undefined],
    ['boolean', 'true', undefined],
    ['string', 2, '2'],
    ['string', true, 'true'],
    ['uri_folder', 1, undefined],
  ];
  for (const [type, input, want] of literal) it(`literal ${JSON.stringify(input)} as ${type}`, () => assert.equal(coerceLiteral(type, input), want));
});

describe('parseDatastoreUri', () => {
  const cases: [string, ReturnType<typeof parseDatastoreUri>][] = [
    ['azureml://datastores/workspaceblobstore/paths/iris/data.csv', { datastore: 'workspaceblobstore', path: 'iris/data.csv' }],
    ['azureml://datastores/ws/paths/../x', { problem: 'the path contains a "." or ".." segment: "azureml://datastores/ws/paths/../x"' }],
    ['azureml://datastores/ws/paths//etc/passwd', { problem: 'the path must be relative (no leading "/" or drive letter): "azureml://datastores/ws/paths//etc/passwd"' }],
    ['azureml://datastores/ws/paths/a\\..\\b', { problem: 'the path contains "\\" (use "/" between folders): "azureml://datastores/ws/paths/a\\\\..\\\\b"' }],
    ['azureml://datastores/ws/paths/a\u0000b', { problem: 'the path contains a control character: "azureml://datastores/ws/paths/a\\u0000b"' }],
    ['azureml://datastores/ws/paths/', { problem: 'the path is empty: "azureml://datastores/ws/paths/"' }],
    ['azureml://datastores/ws/paths/a//b', { problem: 'the path has an empty segment ("//" or a trailing "/"): "azureml://datastores/ws/paths/a//b"' }],
    ['azureml://datastores/ws/paths/iris/', { datastore: 'ws', path: 'iris/' }],
    ['azureml://datastores/my-store/paths/x', { problem: 'datastore name "my-store" is invalid (use letters, digits and "_"): "azureml://datastores/my-store/paths/x"' }],
    ['azureml:iris:1', { problem: '"azureml:iris:1" is not of the form azureml://datastores/NAME/paths/PATH' }],
  ];
  for (const [uri, want] of cases) it(uri, () => assert.deepEqual(parseDatastoreUri(uri), want));
});

describe('parseSetFlags', () => {
  it('accepts inputs.NAME=VALUE and NAME=VALUE; the value may contain "="', () => {
    assert.deepEqual(parseSetFlags(['inputs.lr=0.1', 'epochs=5', 'filter=a=b', 'empty=']), { lr: '0.1', epochs: '5', filter: 'a=b', empty: '' });
  });

  it('names each bad flag', () => {
    assert.deepEqual(problemsOf(() => parseSetFlags(['outputs.model=/tmp/x', 'lr', 'lr=1', 'inputs.lr=2', '../x=1'])), [
      '--set: "outputs.model=/tmp/x": only pipeline inputs can be set (write inputs.NAME=VALUE or NAME=VALUE)',
      '--set: "lr": expected inputs.NAME=VALUE or NAME=VALUE',
      '--set: "inputs.lr=2": input "lr" is set twice (keep one)',
      '--set: "../x=1": "../x" is not an input name (write inputs.NAME=VALUE or NAME=VALUE)',
    ]);
  });
});
