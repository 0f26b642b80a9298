import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { hashLocalTree } from '../../shared/datastore/blob/hashed-tree';
import { LocalOutputNotes } from '../../shared/datastore/blob/local-output-notes';

const runsDir = mkdtempSync(path.join(os.tmpdir(), 'tributary-notes-'));
after(() => rmSync(runsDir, { recursive: true, force: true }));

const uri = (step: string) => `azureml://datastores/workspaceblobstore/paths/azureml/run-n/${step}/outputs/out`;

async function output(step: string, files: Record<string, string>): Promise<{ folder: string; fingerprint: string; files: Awaited<ReturnType<typeof hashLocalTree>>['files'] }> {
  const folder = path.join(runsDir, 'run-n', step, 'out');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  for (const [rel, content] of Object.entries(files)) writeFileSync(path.join(folder, rel), content);
  const tree = await hashLocalTree(folder, 'out');
  return { folder, fingerprint: tree.fingerprint, files: tree.files };
}

describe('LocalOutputNotes', () => {
  test("one file per run, read by any process; an output's last note wins", async () => {
    const writer = new LocalOutputNotes(runsDir);
    const a = await output('a', { v: 'one' });
    assert.equal(writer.has('run-n', uri('a')), false);
    writer.write('run-n', uri('a'), a.fingerprint, a.files);
    const b = await output('b', { v: 'two' });
    writer.write('run-n', uri('b'), b.fingerprint, b.files);
    const again = await output('a', { v: 'one, again' });
    writer.write('run-n', uri('a'), again.fingerprint, again.files);

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
    notes.write('run-n', uri('c'), c.fingerprint, c.files);
    writeFileSync(path.join(c.folder, 'added'), 'x');
    assert.equal(notes.trusted('run-n', c.folder, { uri: uri('c'), fingerprint: c.fingerprint }), undefined);
  });

  test('a line a crash cut short is skipped, and the notes written after it still count', async () => {
    const notes = new LocalOutputNotes(runsDir);
    assert.equal(notes.has('run-n', uri('d')), false); // read up to here
    appendFileSync(path.join(runsDir, 'run-n', 'output-notes.jsonl'), '\n{"uri":"cut sho');
    const d = await output('d', { v: 'four' });
    notes.write('run-n', uri('d'), d.fingerprint, d.files);
    assert.ok(new LocalOutputNotes(runsDir).trusted('run-n', d.folder, { uri: uri('d'), fingerprint: d.fingerprint }));
    assert.ok(notes.trusted('run-n', d.folder, { uri: uri('d'), fingerprint: d.fingerprint }));
  });
});
