import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isTrackedPythonCommand, itemsToCheck, parseReads } from '../../shared/reuse/reads';
import { childKey, isNarrowable, narrowRootKey, type CheckItem } from '../../shared/reuse/snapshot-index';
import { snapshot } from './fixtures';

describe('isTrackedPythonCommand: one Python invocation and nothing else', () => {
  const cases: [string, boolean][] = [
    ['python train.py --lr ${{inputs.lr}}', true],
    ['python3 train.py', true],
    ['python3.12 -m pkg.main $[[--seed ${{inputs.seed}}]]', true],
    ['python train.py --msg "a; b" --x \'c | d\'', true],
    ['bash run.sh', false],
    ['pythonx train.py', false],
    ['python a.py && bash b.sh', false],
    ['python a.py; python b.py', false],
    ['cat x.py | python', false],
    ['python a.py > out.txt', false],
    ['python a.py < in.txt', false],
    ['python a.py $(cat extra.txt)', false],
    ['python a.py "$(cat extra.txt)"', false],
    ['python a.py `cat extra.txt`', false],
    ['python a.py\nbash b.sh', false],
    ['python a.py "unclosed', false],
  ];
  for (const [command, want] of cases) it(JSON.stringify(command), () => assert.equal(isTrackedPythonCommand(command), want));
});

describe('parseReads: the hook file', () => {
  it('collects opened and listed paths, sorted and unique', () => {
    const reads = parseReads('H\t1\nR\ttrain.py\nL\t\nR\thelper.py\nR\ttrain.py\nH\t1\nL\tpkg\n');
    assert.deepEqual(reads, { observed: ['l:', 'l:pkg', 'r:helper.py', 'r:train.py'] });
  });
  const untracked: [string, string | undefined, RegExp][] = [
    ['no file', undefined, /wrote nothing/],
    ['no header: the hook never ran', 'R\ttrain.py\n', /did not run/],
    ['another program started', 'H\t1\nR\ta.py\nU\tstarted another program (subprocess.Popen)\n', /started another program/],
    ['an unknown tag', 'H\t1\nX\tsomething\n', /unknown line/],
    ['a line without a tab', 'H\t1\ngarbage\n', /unreadable line/],
  ];
  for (const [name, text, message] of untracked) {
    it(`is untracked with ${name}`, () => {
      const reads = parseReads(text);
      assert.ok('untracked' in reads);
      assert.match(reads.untracked, message);
    });
  }
});

describe('snapshot states and narrowed keys', () => {
  const before = snapshot({ 'train.py': 'v1', 'prep.py': 'p1', 'helper.py': 'h1', 'conf.yaml': 'c1', 'pkg/__init__.py': '' });
  const coarse = 'sha256:coarse';
  const observed: CheckItem[] = ['l:', 'r:conf.yaml', 'r:helper.py', 'r:local_settings.py', 'r:train.py'];
  const items = itemsToCheck(observed, before);
  const key = (s: ReturnType<typeof snapshot>) => childKey(narrowRootKey(coarse, s), items, s);

  it('only Python sources are narrowable', () => {
    assert.deepEqual(['a.py', 'b.pyc', 'c.pyx', 'd.yaml', 'e.so', 'py'].map(isNarrowable), [true, true, false, false, false, false]);
  });

  it('leaves out files the fixed digest covers, keeps Python sources, listings and absent paths', () => {
    assert.deepEqual(items, ['l:', 'r:helper.py', 'r:local_settings.py', 'r:train.py']);
  });

  const cases: { name: string; after: ReturnType<typeof snapshot>; same: boolean }[] = [
    { name: 'an unread Python file edited', after: snapshot({ 'train.py': 'v1', 'prep.py': 'p2', 'helper.py': 'h1', 'conf.yaml': 'c1', 'pkg/__init__.py': '' }), same: true },
    { name: 'an unread Python file in a subfolder added', after: snapshot({ 'train.py': 'v1', 'prep.py': 'p1', 'helper.py': 'h1', 'conf.yaml': 'c1', 'pkg/__init__.py': '', 'pkg/x.py': '' }), same: true },
    { name: 'the script edited', after: snapshot({ 'train.py': 'v2', 'prep.py': 'p1', 'helper.py': 'h1', 'conf.yaml': 'c1', 'pkg/__init__.py': '' }), same: false },
    { name: 'an imported module edited', after: snapshot({ 'train.py': 'v1', 'prep.py': 'p1', 'helper.py': 'h2', 'conf.yaml': 'c1', 'pkg/__init__.py': '' }), same: false },
    { name: 'a file it looked for appears', after: snapshot({ 'train.py': 'v1', 'prep.py': 'p1', 'helper.py': 'h1', 'conf.yaml': 'c1', 'pkg/__init__.py': '', 'local_settings.py': '' }), same: false },
    { name: 'a file added to a folder it listed', after: snapshot({ 'train.py': 'v1', 'prep.py': 'p1', 'helper.py': 'h1', 'conf.yaml': 'c1', 'pkg/__init__.py': '', 'json.py': '' }), same: false },
    { name: 'a non-Python file edited, even one it never read', after: snapshot({ 'train.py': 'v1', 'prep.py': 'p1', 'helper.py': 'h1', 'conf.yaml': 'c2', 'pkg/__init__.py': '' }), same: false },
    { name: 'the mode of a script it read', after: snapshot({ 'train.py': 'v1', 'prep.py': 'p1', 'helper.py': 'h1', 'conf.yaml': 'c1', 'pkg/__init__.py': '' }, { 'train.py': 0o755 }), same: false },
  ];
  for (const c of cases) {
    it(`${c.same ? 'keeps' : 'changes'} the key when ${c.name}`, () => assert.equal(key(c.after) === key(before), c.same));
  }

  it('states say what a process would observe', () => {
    assert.equal(before.state('r:pkg'), 'd');
    assert.equal(before.state('r:nope.py'), '-');
    assert.equal(before.state('l:pkg'), 'l:__init__.py');
    assert.equal(before.state('l:'), 'l:conf.yaml/helper.py/pkg/prep.py/train.py');
    assert.equal(before.state('l:train.py'), 'f');
    assert.match(before.state('r:train.py'), /^f:[0-9a-f]{64}:644$/);
  });
});
