/**
 * What Tributary takes a local folder to hold — for reuse fingerprints (fingerprintLocalTree) and
 * for uploads (listLocalFiles) alike: the files a step reading the folder sees, symlinks followed.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { listLocalFiles } from '../../shared/datastore/blob/local-files';
import { fingerprintLocalTree } from '../../shared/datastore/local-folder-data-plane';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'tributary-local-files-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** A fresh folder `name` under the temp root with the given files (path → content). */
function tree(name: string, files: Record<string, string>): string {
  const root = path.join(tmp, name);
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    writeFileSync(path.join(root, rel), content);
  }
  return root;
}

async function bothListings(root: string): Promise<string[]> {
  const listed = listLocalFiles(root, 'data').map((f) => f.rel);
  assert.deepEqual((await fingerprintLocalTree(root)).files.map((f) => f.path), listed, 'fingerprint and upload see the same files');
  return listed;
}

describe('local folders: symlinks are followed as a reader would', () => {
  test("a symlinked folder's files are listed under the link's name, and changing one changes the fingerprint", async () => {
    const ext = tree('ext', { 'e.txt': 'one', 'deep/f.txt': 'f' });
    const data = tree('data', { 'a.txt': 'a' });
    symlinkSync('../ext', path.join(data, 'linked'));
    symlinkSync(path.join(ext, 'e.txt'), path.join(data, 'file-link.txt'));
    symlinkSync('nowhere', path.join(data, 'dangling'));
    assert.deepEqual(await bothListings(data), ['a.txt', 'file-link.txt', 'linked/deep/f.txt', 'linked/e.txt']);
    const linked = listLocalFiles(data, 'data').find((f) => f.rel === 'linked/e.txt')!;
    assert.equal(linked.size, 3);
    const before = await fingerprintLocalTree(data);
    writeFileSync(path.join(ext, 'e.txt'), 'two');
    const after = await fingerprintLocalTree(data);
    assert.notEqual(after.fingerprint, before.fingerprint);
    assert.deepEqual(
      after.files.filter((f, i) => f.hash !== before.files[i]!.hash).map((f) => f.path),
      ['file-link.txt', 'linked/e.txt'],
    );
  });

  test('the same folder linked twice is listed under both names', async () => {
    tree('shared', { 's.txt': 's' });
    const data = tree('twice', {});
    symlinkSync('../shared', path.join(data, 'one'));
    symlinkSync('../shared', path.join(data, 'two'));
    assert.deepEqual(await bothListings(data), ['one/s.txt', 'two/s.txt']);
  });

  test('a link back into the folder or an ancestor is skipped: every file is listed once, and the walk ends', async () => {
    const data = tree('cycles/data', { 'a.txt': 'a', 'sub/b.txt': 'b' });
    writeFileSync(path.join(tmp, 'cycles', 'beside.txt'), 'beside');
    symlinkSync('.', path.join(data, 'self'));
    symlinkSync('..', path.join(data, 'sub', 'up'));
    symlinkSync('../..', path.join(data, 'sub', 'outside'));
    // `outside` is the folder holding `data`: its other files are new, `data` itself is being walked.
    assert.deepEqual(await bothListings(data), ['a.txt', 'sub/b.txt', 'sub/outside/beside.txt']);
  });

  test('links to each other (a link loop) carry no file', async () => {
    const data = tree('loop', { 'a.txt': 'a' });
    symlinkSync('y', path.join(data, 'x'));
    symlinkSync('x', path.join(data, 'y'));
    assert.deepEqual(await bothListings(data), ['a.txt']);
  });
});
