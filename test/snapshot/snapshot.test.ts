import assert from 'node:assert/strict';
import { chmod, mkdir, symlink, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LocalContentStore } from '../../shared/snapshot/content-store';
import { sha256Text } from '../../shared/snapshot/manifest';
import { takeSnapshot, type SnapshotDeps, type SnapshotSizeWarning } from '../../shared/snapshot/snapshot';
import { StatCache } from '../../shared/snapshot/stat-cache';
import { CountingStore, tempDir, writeTree } from './helpers';

describe('takeSnapshot', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let src: string;
  let store: CountingStore;
  let warnings: SnapshotSizeWarning[];
  let deps: SnapshotDeps;
  const paths = async (): Promise<string[]> => (await takeSnapshot(src, deps)).manifest.files.map((f) => f.path);

  beforeEach(async () => {
    tmp = await tempDir('snapshot');
    src = path.join(tmp.dir, 'src');
    await mkdir(src);
    store = new CountingStore(new LocalContentStore(path.join(tmp.dir, 'ws', 'snapshots')));
    warnings = [];
    deps = { store, cache: new StatCache(path.join(tmp.dir, 'ws', 'stat-cache')), warn: (w) => warnings.push(w) };
  });
  afterEach(() => tmp.cleanup());

  describe('ignore rules', () => {
    it('uses .amlignore instead of .gitignore in the same folder', async () => {
      await writeTree(src, { '.gitignore': 'a.txt\n', '.amlignore': 'b.txt\n', 'a.txt': 'a', 'b.txt': 'b' });
      assert.deepEqual(await paths(), ['.amlignore', '.gitignore', 'a.txt']);
    });

    it('uses .gitignore when a folder has no .amlignore', async () => {
      await writeTree(src, { '.gitignore': 'a.txt\n', 'a.txt': 'a', 'b.txt': 'b' });
      assert.deepEqual(await paths(), ['.gitignore', 'b.txt']);
    });

    it('honours nested ignore files relative to their folder, each folder choosing its own file', async () => {
      await writeTree(src, {
        '.gitignore': '*.log\n',
        'keep.csv': '1',
        'sub/.amlignore': '*.csv\n/only-here.txt\n',
        'sub/.gitignore': '*.py\n',
        'sub/x.csv': '2',
        'sub/x.py': 'print()',
        'sub/x.log': 'log',
        'sub/only-here.txt': 'gone',
        'sub/deeper/only-here.txt': 'kept',
      });
      assert.deepEqual(await paths(), ['.gitignore', 'keep.csv', 'sub/.amlignore', 'sub/.gitignore', 'sub/deeper/only-here.txt', 'sub/x.py']);
    });

    it('re-includes with a negation', async () => {
      await writeTree(src, { '.amlignore': '*.txt\n!keep.txt\n', 'keep.txt': 'k', 'drop.txt': 'd', 'sub/keep.txt': 'k2' });
      assert.deepEqual(await paths(), ['.amlignore', 'keep.txt', 'sub/keep.txt']);
    });

    it('always leaves .git out, even when a rule tries to keep it', async () => {
      await writeTree(src, { '.amlignore': '!.git\n', '.git/HEAD': 'ref: refs/heads/main', 'sub/.git': 'gitdir: ../x', 'a.py': '' });
      assert.deepEqual(await paths(), ['.amlignore', 'a.py']);
    });

    it('leaves out excluded folders, such as a workspace inside the source folder', async () => {
      await writeTree(src, { '.tributary/history.db': 'x', 'sub/.tributary/keep.txt': 'k', 'main.py': '' });
      const { manifest } = await takeSnapshot(src, { ...deps, excludeFolders: [path.join(src, '.tributary')] });
      assert.deepEqual(manifest.files.map((f) => f.path), ['main.py', 'sub/.tributary/keep.txt']);
    });

    it('does not descend into ignored folders', async () => {
      await writeTree(src, { '.amlignore': 'data/\n', 'data/big.bin': 'x', 'data/.amlignore': '!big.bin\n', 'main.py': '' });
      assert.deepEqual(await paths(), ['.amlignore', 'main.py']);
    });
  });

  describe('content addressing', () => {
    beforeEach(() => writeTree(src, { 'main.py': 'print(1)', 'lib/util.py': 'X = 1', 'run.sh': '#!/bin/sh\n' }));

    it('records path, size, sha256 and mode of every file, sorted', async () => {
      await chmod(path.join(src, 'run.sh'), 0o755);
      const { manifest } = await takeSnapshot(src, deps);
      assert.deepEqual(manifest.files, [
        { path: 'lib/util.py', size: 5, sha256: sha256Text('X = 1'), mode: 0o644 },
        { path: 'main.py', size: 8, sha256: sha256Text('print(1)'), mode: 0o644 },
        { path: 'run.sh', size: 10, sha256: sha256Text('#!/bin/sh\n'), mode: 0o755 },
      ]);
    });

    it('gives the same id for the same content and uploads nothing the second time', async () => {
      const first = await takeSnapshot(src, deps);
      assert.equal(first.uploadedFiles, 3);
      assert.equal(store.puts.length, 3);
      const second = await takeSnapshot(src, deps);
      assert.equal(second.id, first.id);
      assert.equal(second.uploadedFiles, 0);
      assert.equal(store.puts.length, 3);
      assert.equal(store.manifestPuts, 1);
    });

    it('gives the same id for a copy of the folder elsewhere (no cache shared)', async () => {
      const first = await takeSnapshot(src, deps);
      const copy = path.join(tmp.dir, 'copy');
      await writeTree(copy, { 'main.py': 'print(1)', 'lib/util.py': 'X = 1', 'run.sh': '#!/bin/sh\n' });
      assert.equal((await takeSnapshot(copy, deps)).id, first.id);
    });

    it('gives a new id when content changes, uploading only the changed file', async () => {
      const first = await takeSnapshot(src, deps);
      await writeFile(path.join(src, 'lib/util.py'), 'X = 2');
      const second = await takeSnapshot(src, deps);
      assert.notEqual(second.id, first.id);
      assert.equal(second.uploadedFiles, 1);
      assert.equal(store.puts.length, 4);
    });

    it('keeps the id when only the mtime changes', async () => {
      const first = await takeSnapshot(src, deps);
      const later = new Date(Date.now() + 60_000);
      await utimes(path.join(src, 'main.py'), later, later);
      const second = await takeSnapshot(src, deps);
      assert.equal(second.id, first.id);
      assert.equal(store.puts.length, 3);
    });

    it('sees a same-size edit even when the mtime is put back (the stat cache checks ctime too)', async () => {
      const file = path.join(src, 'main.py');
      const old = new Date(Date.now() - 3_600_000);
      await utimes(file, old, old);
      const first = await takeSnapshot(src, deps);
      await sleep(30);
      await writeFile(file, 'print(2)');
      await utimes(file, old, old);
      const second = await takeSnapshot(src, deps);
      assert.notEqual(second.id, first.id);
    });

    it('caches hashes only of files whose mtime is safely before they were read', async () => {
      const past = new Date(Date.now() - 3_600_000);
      const future = new Date(Date.now() + 3_600_000);
      await utimes(path.join(src, 'main.py'), past, past);
      await utimes(path.join(src, 'run.sh'), past, past);
      // An mtime not yet behind the read (here: in the future) could hide a write in the same tick.
      await utimes(path.join(src, 'lib/util.py'), future, future);
      await takeSnapshot(src, deps);
      const cached = await deps.cache.load(path.resolve(src));
      assert.deepEqual([...cached.keys()].sort(), ['main.py', 'run.sh']);
    });
  });

  describe('size warning', () => {
    it('warns above the limit with the total and the biggest files', async () => {
      await writeTree(src, { 'big.bin': 'x'.repeat(3000), 'mid.bin': 'x'.repeat(2000), 'small.py': 'x' });
      await takeSnapshot(src, { ...deps, sizeWarningBytes: 4000 });
      assert.equal(warnings.length, 1);
      const [w] = warnings;
      assert.equal(w!.totalBytes, 5001);
      assert.equal(w!.limitBytes, 4000);
      assert.deepEqual(w!.largest.slice(0, 2), [{ path: 'big.bin', size: 3000 }, { path: 'mid.bin', size: 2000 }]);
      assert.match(w!.message, /big\.bin.*\.amlignore/);
    });

    it('stays quiet at or below the limit, and ignored files do not count', async () => {
      await writeTree(src, { '.amlignore': 'big.bin\n', 'big.bin': 'x'.repeat(3000), 'small.py': 'x' });
      await takeSnapshot(src, { ...deps, sizeWarningBytes: 1000 });
      assert.deepEqual(warnings, []);
    });
  });

  describe('bad entries', () => {
    it('rejects a symlink leading outside the source folder, naming it', async () => {
      await writeTree(tmp.dir, { 'secret.txt': 's' });
      await symlink(path.join(tmp.dir, 'secret.txt'), path.join(src, 'link.txt'));
      await assert.rejects(takeSnapshot(src, deps), {
        code: 'ValidationError',
        message: new RegExp(`${escape(path.join(src, 'link.txt'))}: is a symlink to .*secret\\.txt, outside the source folder`),
      });
    });

    it('rejects a relative symlink that climbs out through ..', async () => {
      await mkdir(path.join(tmp.dir, 'elsewhere'));
      await symlink('../elsewhere', path.join(src, 'up'));
      await assert.rejects(takeSnapshot(src, deps), { message: /up: is a symlink to .*elsewhere, outside the source folder/ });
    });

    it('follows symlinks that stay inside, storing the content as plain files', async () => {
      await writeTree(src, { 'real/a.py': 'A' });
      await symlink('real', path.join(src, 'alias'));
      await symlink('real/a.py', path.join(src, 'b.py'));
      assert.deepEqual(await paths(), ['alias/a.py', 'b.py', 'real/a.py']);
    });

    it('rejects a symlink loop and a broken symlink', async () => {
      await mkdir(path.join(src, 'sub'));
      await symlink('..', path.join(src, 'sub', 'loop'));
      await symlink('missing.py', path.join(src, 'dangling.py'));
      await assert.rejects(takeSnapshot(src, deps), (err: Error) => {
        assert.match(err.message, /2 problems/);
        assert.match(err.message, /loop: symlink loop back to/);
        assert.match(err.message, /dangling\.py: is a broken or looping symlink/);
        return true;
      });
    });

    it('rejects names with control characters or backslashes, unless ignored', async () => {
      await writeTree(src, { 'bad\nname.py': 'x', 'back\\slash.py': 'y' });
      await assert.rejects(takeSnapshot(src, deps), (err: Error) => {
        assert.match(err.message, /the name "bad\\nname\.py" contains a control character; remove it or add it to \.amlignore/);
        assert.match(err.message, /the name "back\\\\slash\.py" contains a backslash/);
        return true;
      });
      await writeFile(path.join(src, '.amlignore'), 'bad*\nback*\n');
      assert.deepEqual(await paths(), ['.amlignore']);
    });

    it('rejects a source folder that does not exist', async () => {
      await assert.rejects(takeSnapshot(path.join(tmp.dir, 'nope'), deps), { code: 'ValidationError', message: /source folder .*nope does not exist/ });
    });
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
