/** The read-tracking audit hook (python/reads/sitecustomize.py) in a real Python process. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseReads } from '../../shared/reuse/reads';
import { REPO } from '../support/cli';

const HOOK_DIR = path.join(REPO, 'python', 'reads');

/** Runs `python3 <args>` in a folder holding `files`, with the hook on; returns what it recorded. */
function traced(files: Record<string, string>, args: string[], extraPath: string[] = []): { reads: ReturnType<typeof parseReads>; stdout: string } {
  const base = mkdtempSync(path.join(tmpdir(), 'tributary-hook-'));
  const root = path.join(base, 'work');
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  mkdirSync(root, { recursive: true });
  const readsFile = path.join(base, 'reads.tsv');
  const r = spawnSync('python3', args, {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PYTHONPATH: [HOOK_DIR, ...extraPath].join(path.delimiter), TRIBUTARY_READS_FILE: readsFile, TRIBUTARY_READS_ROOT: root, PYTHONDONTWRITEBYTECODE: '1', OUTSIDE: base },
  });
  assert.equal(r.status, 0, r.stderr);
  let text: string | undefined;
  try {
    text = readFileSync(readsFile, 'utf8');
  } catch {
    text = undefined;
  }
  return { reads: parseReads(text), stdout: r.stdout };
}

function observed(reads: ReturnType<typeof parseReads>): string[] {
  assert.ok('observed' in reads, `tracked: ${JSON.stringify(reads)}`);
  return reads.observed;
}

describe('read-tracking hook', () => {
  it('records the script, imported modules, opened files, listings and existence checks — not unread files', () => {
    const seen = observed(
      traced(
        {
          'train.py': [
            'import os, glob, shutil, pathlib',
            'import helper',
            'from pkg import sub',
            'open("conf/settings.txt").read()',
            'os.listdir("conf")',
            'glob.glob("data/*.csv")',
            'os.path.exists("maybe_here.py")',
            'pathlib.Path("also_maybe.py").is_file()',
            'outside = os.path.join(os.environ["OUTSIDE"], "scratch")',
            'os.makedirs(outside + "/x", exist_ok=True); shutil.rmtree(outside)',
            'os.makedirs("tmp/y", exist_ok=True); shutil.rmtree("tmp")',
          ].join('\n'),
          'helper.py': 'X = 1\n',
          'prep.py': 'raise SystemExit("never run")\n',
          'pkg/__init__.py': '',
          'pkg/sub.py': 'Y = 2\n',
          'pkg/unused.py': '',
          'conf/settings.txt': 'a=1\n',
          'data/a.csv': '1\n',
        },
        ['train.py'],
      ).reads,
    );
    for (const item of ['r:train.py', 'r:helper.py', 'r:pkg/__init__.py', 'r:pkg/sub.py', 'r:conf/settings.txt', 'l:', 'l:conf', 'l:data', 'l:pkg', 'r:maybe_here.py', 'r:also_maybe.py', 'l:tmp']) {
      assert.ok(seen.includes(item), `${item} in ${seen.join(' ')}`);
    }
    for (const item of ['r:prep.py', 'r:pkg/unused.py']) assert.ok(!seen.includes(item), `${item} not read`);
    assert.ok(!seen.some((s) => s.includes('scratch')), 'paths outside the root are not recorded');
  });

  it('gives up on programs it cannot follow: another program started', () => {
    const { reads } = traced({ 'run.py': 'import subprocess\nsubprocess.run(["true"])\n' }, ['run.py']);
    assert.ok('untracked' in reads);
    assert.match(reads.untracked, /started another program \(subprocess.Popen\)/);
  });

  it('says so when Python ignored PYTHONPATH (-I): nothing is trusted', () => {
    const { reads } = traced({ 'run.py': 'print(1)\n' }, ['-I', 'run.py']);
    assert.ok('untracked' in reads);
  });

  it('still runs a sitecustomize it shadows', () => {
    const other = mkdtempSync(path.join(tmpdir(), 'tributary-site-'));
    writeFileSync(path.join(other, 'sitecustomize.py'), 'import builtins\nbuiltins.SHADOWED_RAN = True\n');
    const { stdout, reads } = traced({ 'run.py': 'import builtins\nprint(getattr(builtins, "SHADOWED_RAN", False))\n' }, ['run.py'], [other]);
    assert.equal(stdout.trim(), 'True');
    assert.ok(observed(reads).includes('r:run.py'));
  });
});
