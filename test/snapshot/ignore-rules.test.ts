import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { governingIgnoreFile, IgnoreRules, rebase } from '../../shared/snapshot/ignore-rules';

describe('rebase: a nested ignore file line as a root-relative pattern', () => {
  const cases: [line: string, folder: string, expected: string[]][] = [
    ['*.log', '', ['*.log']],
    ['# comment', 'a', []],
    ['   ', 'a', []],
    ['*.log', 'a', ['a/**/*.log']],
    ['build/', 'a/b', ['a/b/**/build/']],
    ['/top.txt', 'a', ['a/top.txt']],
    ['data/raw', 'a', ['a/data/raw']],
    ['**/cache', 'a', ['a/**/cache']],
    ['!keep.txt', 'a', ['!a/**/keep.txt']],
    ['!/keep/', 'a', ['!a/keep/']],
    ['\\#literal', 'a', ['a/**/\\#literal']],
    ['x', 'we[ir]d*', ['we\\[ir\\]d\\*/**/x']],
    ['x', '!bang#', ['\\!bang\\#/**/x']],
  ];
  for (const [line, folder, expected] of cases) {
    it(`${JSON.stringify(line)} in ${JSON.stringify(folder)}`, () => assert.deepEqual(rebase(line, folder), expected));
  }
});

describe('IgnoreRules', () => {
  it('prefers .amlignore over .gitignore in a folder', () => {
    assert.equal(governingIgnoreFile(new Set(['.gitignore', '.amlignore', 'x.py'])), '.amlignore');
    assert.equal(governingIgnoreFile(new Set(['.gitignore', 'x.py'])), '.gitignore');
    assert.equal(governingIgnoreFile(new Set(['x.py'])), undefined);
  });

  it('applies nested rules only below their folder', () => {
    const rules = IgnoreRules.root().withFile('', '*.tmp\n').withFile('sub', '*.csv\n');
    assert.equal(rules.ignores('a.tmp', false), true);
    assert.equal(rules.ignores('sub/deep/x.tmp', false), true);
    assert.equal(rules.ignores('sub/deep/x.csv', false), true);
    assert.equal(rules.ignores('x.csv', false), false);
    assert.equal(rules.ignores('other/x.csv', false), false);
  });

  it('lets a deeper file re-include what a shallower one excluded, as git does', () => {
    const rules = IgnoreRules.root().withFile('', 'build\n*.log\n').withFile('a', '!build\n!keep.log\n');
    assert.equal(rules.ignores('build', true), true);
    assert.equal(rules.ignores('a/build', true), false);
    assert.equal(rules.ignores('a/build/out.bin', false), false);
    assert.equal(rules.ignores('a/keep.log', false), false);
    assert.equal(rules.ignores('a/other.log', false), true);
  });

  it('matches folder-only patterns only against folders', () => {
    const rules = IgnoreRules.root().withFile('', 'out/\n');
    assert.equal(rules.ignores('out', true), true);
    assert.equal(rules.ignores('out', false), false);
  });
});
