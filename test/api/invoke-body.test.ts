import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../shared/errors';
import { parseInvocation } from '../../shared/api/invoke/invoke-body';

describe('parseInvocation (the Azure ML invocation body)', () => {
  it('takes ExperimentName and ParameterAssignments, accepts RunSource and friends silently', () => {
    const inv = parseInvocation({ ExperimentName: 'nightly', ParameterAssignments: { n: 3, msg: 'hi' }, RunSource: 'SDK', Tags: { a: 'b' } });
    assert.equal(inv.experimentName, 'nightly');
    assert.deepEqual(inv.assignments, [
      { field: 'ParameterAssignments', name: 'n', value: 3 },
      { field: 'ParameterAssignments', name: 'msg', value: 'hi' },
    ]);
    assert.deepEqual(inv.warnings, []);
    assert.equal(inv.regenerateOutputs, false);
  });

  it('keeps DataPathAssignments as sent (checked with the pipeline) and maps EnforceRerun to regenerated outputs', () => {
    const inv = parseInvocation({ DataPathAssignments: { data: { DataStoreName: 'workspaceblobstore', RelativePath: 'iris/' } }, EnforceRerun: true });
    assert.deepEqual(inv.assignments, [{ field: 'DataPathAssignments', name: 'data', value: { DataStoreName: 'workspaceblobstore', RelativePath: 'iris/' } }]);
    assert.equal(inv.regenerateOutputs, true);
  });

  it('accepts the older PipelineParameters name, but not both', () => {
    const older = parseInvocation({ PipelineParameters: { n: 1 } });
    assert.deepEqual(older.assignments, [{ field: 'PipelineParameters', name: 'n', value: 1 }]);
    assert.equal(older.parametersField, 'PipelineParameters');
    assert.throws(() => parseInvocation({ PipelineParameters: { n: 1 }, ParameterAssignments: { n: 2 } }), /not both/);
  });

  it('warns about fields it does not know instead of dropping them silently', () => {
    assert.deepEqual(parseInvocation({ ParameterAsignments: { n: 1 } }).warnings, ['unknown field "ParameterAsignments" was ignored']);
  });

  it('names the field of each problem', () => {
    const cases: [unknown, RegExp][] = [
      [[], /JSON object/],
      [null, /JSON object/],
      [{ ExperimentName: 'has space' }, /ExperimentName/],
      [{ ParameterAssignments: [1] }, /ParameterAssignments: expected an object/],
      [{ DataPathAssignments: 'd' }, /DataPathAssignments: expected an object/],
      [{ ParameterAssignments: { d: 'x' }, DataPathAssignments: { d: {} } }, /"d" is assigned in both/],
      [{ EnforceRerun: 'yes' }, /EnforceRerun/],
    ];
    for (const [body, message] of cases) assert.throws(() => parseInvocation(body), (err: unknown) => err instanceof ValidationError && message.test(err.message), JSON.stringify(body));
  });

  it('fingerprints what decides the run, independent of key order and ignored fields', () => {
    const a = parseInvocation({ ExperimentName: 'e', ParameterAssignments: { a: 1, b: 2 }, RunSource: 'x' });
    const b = parseInvocation({ ParameterAssignments: { b: 2, a: 1 }, ExperimentName: 'e' });
    const c = parseInvocation({ ExperimentName: 'e', ParameterAssignments: { a: 1, b: 3 } });
    assert.equal(a.fingerprint, b.fingerprint);
    assert.notEqual(a.fingerprint, c.fingerprint);
    const path = (value: object) => parseInvocation({ DataPathAssignments: { d: value } }).fingerprint;
    assert.equal(path({ DataStoreName: 's', RelativePath: 'p' }), path({ RelativePath: 'p', DataStoreName: 's' }));
  });

  it('keeps every own key as sent, "__proto__" included (JSON.parse makes it an own key; z.record would drop it)', () => {
    const inv = parseInvocation(JSON.parse('{"ParameterAssignments": {"__proto__": {"x": 1}, "n": 2}}'));
    assert.deepEqual(inv.assignments.map((a) => a.name), ['__proto__', 'n']);
  });
});
