import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { hashLocalTree, type HashedTree } from '../../shared/datastore/blob/hashed-tree';
import { LocalOutputNotes } from '../../shared/datastore/blob/local-output-notes';

const runsDir = mkdtempSync(path.join(os.tmpdir(), 'tributary-notes-'));
after(() => rmSync(runsDir, { recursive: true, force: true }));

const uri = (step: string) => `azureml://datastores/workspaceblobstore/paths/azureml/run-n/${step}/outputs/out`;

async function output(step: string, files: Record<string, string>): Promise<HashedTree & { folder: string }> {
  const folder = path.join(runsDir, 'run-n', step, 'out');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  for (const [rel, content] of Object.entries(files)) writeFileSync(path.join(folder, rel), content);
  return { folder, ...(await hashLocalTree(folder, 'out')) };
}

describe('LocalOutputNotes', () => {
  test("one file per run, read by any process; an output's last note wins", async () => {
    const writer = new LocalOutputNotes(runsDir);
    const a = await output('a', { v: 'one' });
    assert.equal(writer.has('run-n', uri('a')), false);
    writer.write('run-n', uri('a'), a);
    const b = await output('b', { v: 'two' });
    writer.write('run-n', uri('b'), b);
    const again = await output('a', { v: 'one, again' });
    writer.write('run-n', uri('a'), again);

    assert.deepEqual(readdirSync(path.join(runsDir, 'run-n')).filter((f) => f.endsWith('.jsonl')), ['output-notes.jsonl']);
    const reader = new LocalOutputNotes(runsDir); // another process
    assert.equal(reader.has('run-n', uri('a')), true);
    assert.equal(reader.trusted('run-n', a.folder, { uri: uri('a'), fingerprint: a.fingerprint }), undefined, 'superseded');
    assert.deepEqual(reader.trusted('run-n', again.folder, { uri: uri('a'), fingerprint: again.fingerprint })?.map((f) => f.rel), ['v']);
    assert.ok(reader.trusted('run-n', b.folder, { uri: uri('b'), fingerprint: b.fingerprint }));
  });

  test('a folder changed since its note is not trusted', async () => {
    const notes = new LocalOutputNotes(runsDir);
    const c = await output('c', { v: 'three' });
    notes.write('run-n', uri('c'), c);
    writeFileSync(path.join(c.folder, 'added'), 'x');
    assert.equal(notes.trusted('run-n', c.folder, { uri: uri('c'), fingerprint: c.fingerprint }), undefined);
  });

  test('a file added to a subfolder, or to a folder reached through a link, shows in the folder stamps', async () => {
    const notes = new LocalOutputNotes(runsDir);
    const linked = path.join(runsDir, 'linked-target');
    mkdirSync(linked, { recursive: true });
    const e = await output('e', { v: 'five' });
    mkdirSync(path.join(e.folder, 'sub'));
    writeFileSync(path.join(e.folder, 'sub', 'w'), 'w');
    symlinkSync(linked, path.join(e.folder, 'link'));
    const tree = await hashLocalTree(e.folder, 'out');
    assert.deepEqual(tree.folders.map((f) => f.rel), ['', 'link', 'sub']);
    notes.write('run-n', uri('e'), tree);
    const record = { uri: uri('e'), fingerprint: tree.fingerprint };
    assert.ok(notes.trusted('run-n', e.folder, record));
    writeFileSync(path.join(linked, 'new'), 'x');
    assert.equal(notes.trusted('run-n', e.folder, record), undefined, 'a file in the linked folder');
    rmSync(path.join(linked, 'new'));
    writeFileSync(path.join(e.folder, 'sub', 'new'), 'x');
    assert.equal(notes.trusted('run-n', e.folder, record), undefined, 'a file in the subfolder');
  });

  test('a note of an earlier version (no folder stamps) is checked by listing the folder', async () => {
    const f = await output('f', { v: 'six' });
    const noteOfEarlierVersion = { uri: uri('f'), fingerprint: f.fingerprint, files: f.files.map(({ rel, size, mtimeMs, ino, hash }) => ({ rel, size, mtimeMs, ino, hash })) };
    appendFileSync(path.join(runsDir, 'run-n', 'output-notes.jsonl'), `\n${JSON.stringify(noteOfEarlierVersion)}\n`);
    const record = { uri: uri('f'), fingerprint: f.fingerprint };
    assert.ok(new LocalOutputNotes(runsDir).trusted('run-n', f.folder, record));
    writeFileSync(path.join(f.folder, 'added'), 'x');
    assert.equal(new LocalOutputNotes(runsDir).trusted('run-n', f.folder, record), undefined);
  });

  test('a line a crash cut short, or not a note, is skipped, and the notes written after it still count', async () => {
    const notes = new LocalOutputNotes(runsDir);
    assert.equal(notes.has('run-n', uri('d')), false); // read up to here
    appendFileSync(path.join(runsDir, 'run-n', 'output-notes.jsonl'), `\n${JSON.stringify({ uri: uri('d'), fingerprint: 'f', files: [{ rel: 'v' }] })}\n`);
    assert.equal(new LocalOutputNotes(runsDir).has('run-n', uri('d')), false);
    appendFileSync(path.join(runsDir, 'run-n', 'output-notes.jsonl'), '\n{"uri":"cut sho');
    const d = await output('d', { v: 'four' });
    notes.write('run-n', uri('d'), d);
    assert.ok(new LocalOutputNotes(runsDir).trusted('run-n', d.folder, { uri: uri('d'), fingerprint: d.fingerprint }));
    assert.ok(notes.trusted('run-n', d.folder, { uri: uri('d'), fingerprint: d.fingerprint }));
  });
});
