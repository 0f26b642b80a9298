import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assignedParameters } from '../../shared/api/invoke/assigned-parameters';
import { parseInvocation } from '../../shared/api/invoke/invoke-body';
import { ValidationError } from '../../shared/errors';
import { DEFINITION_SCHEMA_VERSION, type PipelineDefinition } from '../../shared/model/definition';

const definition: PipelineDefinition = {
  schemaVersion: DEFINITION_SCHEMA_VERSION,
  name: 'p',
  continueOnStepFailure: false,
  inputs: { data: { type: 'uri_folder', default: '/srv/publisher/data' }, model: { type: 'uri_file', optional: true }, n: { type: 'integer', default: 1 } },
  outputs: {},
  steps: {},
  source: 'test',
};

/** The overrides an invocation body yields against `definition`, or the ValidationError it gets. */
function assigned(body: unknown): Record<string, unknown> | ValidationError {
  try {
    return assignedParameters(definition, parseInvocation(body).assignments);
  } catch (err) {
    if (err instanceof ValidationError) return err;
    throw err;
  }
}

function refused(body: unknown): ValidationError {
  const result = assigned(body);
  assert.ok(result instanceof ValidationError, `expected a ValidationError for ${JSON.stringify(body)}, got ${JSON.stringify(result)}`);
  return result;
}

describe('assignedParameters (invocation assignments against the published inputs)', () => {
  it('passes datastore URIs, DataPathAssignments and scalars through as overrides', () => {
    assert.deepEqual(
      assigned({
        ParameterAssignments: { data: 'azureml://datastores/workspaceblobstore/paths/iris/', n: '3' },
        DataPathAssignments: { model: { DataStoreName: 'models_2', RelativePath: 'best/model.pkl' } },
      }),
      { data: 'azureml://datastores/workspaceblobstore/paths/iris/', n: '3', model: 'azureml://datastores/models_2/paths/best/model.pkl' },
    );
    assert.deepEqual(assigned({}), {}, 'defaults are not assignments: the publisher\'s local default stays the definition\'s');
  });

  it('refuses a local path for a data input, absolute or relative, naming the parameter and what to send instead', () => {
    for (const local of ['/etc', '../../../etc', '.tributary', 'data', 'file:///etc/passwd', '']) {
      for (const field of ['ParameterAssignments', 'PipelineParameters']) {
        const err = refused({ [field]: { data: local } });
        assert.equal(err.target, field);
        assert.match(err.message, new RegExp(`^${field}: inputs\\.data: .* is not a datastore URI; over HTTP a uri_folder input takes azureml://datastores/<datastore>/paths/<path>`));
        assert.match(err.message, /or DataPathAssignments \{"data": \{"DataStoreName": "<datastore>", "RelativePath": "<path>"\}\}/);
      }
    }
    assert.match(refused({ ParameterAssignments: { model: '/root/.ssh/id_rsa' } }).message, /inputs\.model: "\/root\/\.ssh\/id_rsa" is not a datastore URI; over HTTP a uri_file input/);
    assert.match(refused({ ParameterAssignments: { data: 3 } }).message, /inputs\.data: 3 is not a datastore URI/);
  });

  it('refuses malformed datastore URIs in ParameterAssignments', () => {
    for (const uri of ['azureml://datastores/ws/paths/../x', 'azureml://datastores/a-b/paths/x', 'azureml:foo', 'azureml://datastores/ws/paths//etc']) {
      const err = refused({ ParameterAssignments: { data: uri } });
      assert.equal(err.target, 'ParameterAssignments', uri);
      assert.match(err.message, /inputs\.data: /, uri);
    }
  });

  it('checks DataPathAssignments and names DataPathAssignments.<input>[.field] in each error', () => {
    const cases: [unknown, string, RegExp][] = [
      [{ DataStoreName: 'workspaceblobstore/paths/a', RelativePath: 'b' }, 'DataPathAssignments.data.DataStoreName', /datastore name "workspaceblobstore\/paths\/a" is invalid/],
      [{ DataStoreName: '', RelativePath: 'b' }, 'DataPathAssignments.data.DataStoreName', /datastore name "" is invalid/],
      [{ DataStoreName: 7, RelativePath: 'b' }, 'DataPathAssignments.data.DataStoreName', /expected a datastore name, got 7/],
      [{ DataStoreName: 'ws', RelativePath: '../etc' }, 'DataPathAssignments.data.RelativePath', /path "\.\.\/etc" contains a "\." or "\.\." segment/],
      [{ DataStoreName: 'ws', RelativePath: '/etc' }, 'DataPathAssignments.data.RelativePath', /must be relative/],
      [{ DataStoreName: 'ws' }, 'DataPathAssignments.data.RelativePath', /expected a path in the datastore, got nothing/],
      ['ws/etc', 'DataPathAssignments.data', /expected \{"DataStoreName"/],
    ];
    for (const [value, target, message] of cases) {
      const err = refused({ DataPathAssignments: { data: value } });
      assert.equal(err.target, target, JSON.stringify(value));
      assert.match(err.message, message, JSON.stringify(value));
      assert.ok(!err.message.includes('ParameterAssignments'), err.message);
    }
    const scalar = refused({ DataPathAssignments: { n: { DataStoreName: 'ws', RelativePath: 'x' } } });
    assert.equal(scalar.target, 'DataPathAssignments.n');
    assert.match(scalar.message, /input "n" has type integer; DataPathAssignments takes uri_folder and uri_file inputs/);
    const unknown = refused({ DataPathAssignments: { nope: { DataStoreName: 'ws', RelativePath: 'x' } } });
    assert.equal(unknown.target, 'DataPathAssignments.nope');
    assert.match(unknown.message, /^DataPathAssignments\.nope: unknown pipeline input \(known: data, model, n\)$/);
  });

  it('reports "__proto__" like any other unknown name, before looking at its value', () => {
    for (const field of ['ParameterAssignments', 'PipelineParameters']) {
      const err = refused(JSON.parse(`{"${field}": {"__proto__": {"x": 1}}}`));
      assert.equal(err.target, field);
      assert.match(err.message, /inputs\.__proto__: unknown pipeline input \(known: data, model, n\)/);
    }
    const err = refused(JSON.parse('{"DataPathAssignments": {"__proto__": {"DataStoreName": "ws", "RelativePath": "x"}}}'));
    assert.equal(err.target, 'DataPathAssignments.__proto__');
    assert.match(refused(JSON.parse('{"ParameterAssignments": {"constructor": 1}}')).message, /inputs\.constructor: unknown pipeline input/);
  });

  it('refuses values that are not JSON scalars, naming the expected type', () => {
    assert.match(refused({ ParameterAssignments: { n: null } }).message, /inputs\.n: wrong parameter type: expected integer, got null/);
    assert.match(refused({ ParameterAssignments: { n: { deep: 1 } } }).message, /inputs\.n: wrong parameter type: expected integer, got \{"deep":1\}/);
  });
});
