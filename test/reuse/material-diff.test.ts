import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KeyMaterial } from '../../shared/reuse/key-material';
import { diffMaterial, type SnapshotPair } from '../../shared/reuse/material-diff';
import { material, snapshot } from './fixtures';

const base = material();
const path = (uri: string, files: { path: string; size: number; hash: string }[]) =>
  ({ kind: 'data', type: 'uri_folder', fingerprint: files.map((f) => f.hash).join(''), origin: { kind: 'path', uri, fileCount: files.length, files } }) as const;

describe('diffMaterial: what differs, in words', () => {
  const cases: { name: string; now: KeyMaterial; was?: KeyMaterial; pair?: SnapshotPair; want: string[] }[] = [
    { name: 'nothing', now: base, want: [] },
    { name: 'a parameter', now: material({ inputs: { ...base.inputs, lr: { kind: 'scalar', type: 'number', value: 0.2 } } }), want: ['parameter lr: 0.1 → 0.2'] },
    {
      name: 'an upstream output',
      now: material({ inputs: { ...base.inputs, data: { kind: 'data', type: 'uri_folder', fingerprint: 'f2', origin: { kind: 'upstream', step: 'prep', output: 'clean', runId: 'run-2' } } } }),
      want: ['input data: upstream output prep.clean changed (run run-1 → run-2)'],
    },
    {
      name: 'files of a data input',
      now: material({ inputs: { raw: path('/data/raw', [{ path: 'a.csv', size: 2, hash: 'a1' }, { path: 'b.csv', size: 3, hash: 'b2' }, { path: 'c.csv', size: 1, hash: 'c1' }]) } }),
      was: material({ inputs: { raw: path('/data/raw', [{ path: 'a.csv', size: 2, hash: 'a1' }, { path: 'b.csv', size: 2, hash: 'b1' }, { path: 'd.csv', size: 1, hash: 'd1' }]) } }),
      want: ['input raw (/data/raw): file b.csv changed (2 → 3 bytes)', 'input raw (/data/raw): file c.csv added', 'input raw (/data/raw): file d.csv removed'],
    },
    { name: 'the command', now: material({ command: 'python t.py --fast' }), want: [`command ${JSON.stringify(base.command)} → "python t.py --fast"`] },
    { name: 'an environment variable', now: material({ environment: { variables: { MODE: 'fast' } } }), want: ['environment variable MODE: unset → "fast"'] },
    { name: 'an output type', now: material({ outputs: { model: 'uri_file' } }), want: ['output model: uri_folder → uri_file'] },
    {
      name: 'snapshot files, whole snapshot keyed',
      now: material({ snapshot: 'b' }),
      pair: { earlier: snapshot({ 'run.sh': '1', 'lib.sh': '1' }), current: snapshot({ 'run.sh': '2', 'new.sh': '1' }) },
      want: ['snapshot file lib.sh removed', 'snapshot file new.sh added', 'snapshot file run.sh changed'],
    },
    {
      name: 'snapshot files of a narrowed Python run: only what it read, and the files narrowing keeps',
      now: material({ snapshot: 'b' }),
      pair: {
        earlier: snapshot({ 'train.py': '1', 'prep.py': '1', 'helper.py': '1', 'conf.yaml': '1' }),
        current: snapshot({ 'train.py': '1', 'prep.py': '2', 'helper.py': '2', 'conf.yaml': '2', 'new.py': '' }),
        earlierObserved: ['l:', 'r:helper.py', 'r:train.py'],
      },
      want: ['snapshot file conf.yaml changed', 'listing of the snapshot root changed (a file it lists was added or removed)', 'snapshot file helper.py changed (the step read it)'],
    },
    { name: 'snapshots without manifests', now: material({ snapshot: 'b'.repeat(64) }), want: [`snapshot ${'a'.repeat(12)} → ${'b'.repeat(12)} (manifests not available to compare)`] },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(diffMaterial(c.now, c.was ?? base, c.pair ?? {}).map((d) => d.detail), c.want));
  }
});
