import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalJson, coarseKey, keyCommand, wholeKey, type InputIdentity, type KeyMaterial } from '../../shared/reuse/key-material';
import { material, stepDef } from './fixtures';

const base = material();

describe('reuse key: what enters it', () => {
  const changes: { name: string; changed: KeyMaterial }[] = [
    { name: 'step kind', changed: material({ kind: 'databricks' }) },
    { name: 'command text', changed: material({ command: base.command.replace('train.py', 'train2.py') }) },
    { name: 'a parameter value', changed: material({ inputs: { ...base.inputs, lr: { kind: 'scalar', type: 'number', value: 0.2 } } }) },
    { name: 'a parameter type', changed: material({ inputs: { ...base.inputs, lr: { kind: 'scalar', type: 'string', value: 0.1 } } }) },
    { name: 'an input content fingerprint', changed: material({ inputs: { ...base.inputs, data: { ...(base.inputs.data as Extract<InputIdentity, { kind: 'data' }>), fingerprint: 'f2' } } }) },
    { name: 'an input data type', changed: material({ inputs: { ...base.inputs, data: { ...(base.inputs.data as Extract<InputIdentity, { kind: 'data' }>), type: 'uri_file' } } }) },
    { name: 'an input newly bound', changed: material({ inputs: { ...base.inputs, seed: { kind: 'scalar', type: 'integer', value: 1 } } }) },
    { name: 'an environment variable', changed: material({ environment: { variables: { MODE: 'fast' } } }) },
    { name: 'the image', changed: material({ environment: { image: 'python:3.12', variables: {} } }) },
    { name: 'the registry environment', changed: material({ environment: { reference: 'azureml:sklearn:2', variables: {} } }) },
    { name: 'the conda file content', changed: material({ environment: { condaFile: { path: '/c.yml', sha256: 'x' }, variables: {} } }) },
    { name: 'an output name', changed: material({ outputs: { weights: 'uri_folder' } }) },
    { name: 'an output type', changed: material({ outputs: { model: 'uri_file' } }) },
  ];
  for (const c of changes) {
    it(`changes with ${c.name}`, () => assert.notEqual(coarseKey(c.changed), coarseKey(base)));
  }

  it('changes with the snapshot, through the whole key', () => {
    assert.notEqual(wholeKey(coarseKey(base), 'a'.repeat(64)), wholeKey(coarseKey(base), 'b'.repeat(64)));
    assert.notEqual(wholeKey(coarseKey(base), undefined), wholeKey(coarseKey(base), 'a'.repeat(64)));
  });

  const same: { name: string; other: KeyMaterial }[] = [
    { name: 'the producing run of an upstream output', other: material({ inputs: { ...base.inputs, data: { kind: 'data', type: 'uri_folder', fingerprint: 'f1', origin: { kind: 'upstream', step: 'prep', output: 'clean', runId: 'run-2' } } } }) },
    { name: 'where equal data lives', other: material({ inputs: { ...base.inputs, data: { kind: 'data', type: 'uri_folder', fingerprint: 'f1', origin: { kind: 'path', uri: '/elsewhere', fileCount: 1 } } } }) },
    { name: 'the conda file path when its content is the same', other: material({ environment: { condaFile: { path: '/b.yml', sha256: 'x' }, variables: {} } }) },
  ];
  for (const c of same) {
    const a = c.name.startsWith('the conda') ? material({ environment: { condaFile: { path: '/a.yml', sha256: 'x' }, variables: {} } }) : base;
    it(`ignores ${c.name}`, () => assert.equal(coarseKey(c.other), coarseKey(a)));
  }

  it('does not depend on key order', () => {
    const reordered = material({ outputs: { model: 'uri_folder' }, inputs: { data: base.inputs.data!, lr: base.inputs.lr! } });
    assert.equal(coarseKey(reordered), coarseKey(base));
    assert.equal(canonicalJson({ b: 1, a: { d: 2, c: [3, { f: 1, e: 2 }] } }), '{"a":{"c":[3,{"e":2,"f":1}],"d":2},"b":1}');
  });

  it('keys are sha256 ids that fit a Cosmos id', () => assert.match(coarseKey(base), /^sha256:[0-9a-f]{64}$/));
});

describe('keyCommand: the command as the key sees it', () => {
  const lr: InputIdentity = { kind: 'scalar', type: 'number', value: 0.1 };
  const data: InputIdentity = { kind: 'data', type: 'uri_folder', fingerprint: 'f', origin: { kind: 'path', uri: '/runs/r9/prep/outputs/clean', fileCount: 1 } };
  const cases: { name: string; command: string; inputs: Record<string, InputIdentity>; want: string }[] = [
    { name: 'scalars substituted, data and outputs as placeholders', command: stepDef().command, inputs: { lr, data }, want: 'python train.py --lr 0.1 --data @inputs.data@ --out @outputs.model@' },
    { name: 'an unbound optional section dropped', command: 'python t.py $[[--lr ${{inputs.lr}}]] ${{inputs.data}}', inputs: { data }, want: 'python t.py  @inputs.data@' },
    { name: 'a placeholder inside double quotes stays plain', command: 'python t.py "${{inputs.data}}/x.csv"', inputs: { data }, want: 'python t.py "@inputs.data@/x.csv"' },
  ];
  for (const c of cases) {
    it(c.name, () => assert.equal(keyCommand(stepDef({ command: c.command }), c.inputs), c.want));
  }

  it('never contains a run-specific path', () => assert.doesNotMatch(keyCommand(stepDef(), { lr, data }), /runs\/r9/));
});
