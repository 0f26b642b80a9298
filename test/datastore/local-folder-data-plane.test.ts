/**
 * Reuse checks of outputs kept in the workspace folder (TRIBUTARY_DATASTORE=none): an earlier
 * output counts only while its folder holds exactly what was recorded. A stat of each folder and
 * file answers from the note written when it was fingerprinted; anything else is hashed again.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import type { StepDataContext } from '../../shared/datastore/data-plane';
import { BlobDataPlane } from '../../shared/datastore/blob/blob-data-plane';
import { LocalFolderDataPlane } from '../../shared/datastore/local-folder-data-plane';
import type { OutputRecord } from '../../shared/store/records';
import { outputFolder } from '../../shared/workspace/workspace';
import { tempWorkspace } from '../support/azurite';

const ws = tempWorkspace('tributary-local-plane-');
after(() => rmSync(ws.root, { recursive: true, force: true }));

const ctx = (runId: string, step: string): StepDataContext => ({ runId, step, attempt: 1, scratchDir: path.join(ws.root, 'scratch') });

/** A step's output folder where the step writes it, persisted by `plane`. */
async function persisted(plane: LocalFolderDataPlane, runId: string, step: string, files: Record<string, string>): Promise<{ folder: string; record: OutputRecord }> {
  const folder = outputFolder(ws, runId, step, 'out');
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(folder, rel)), { recursive: true });
    writeFileSync(path.join(folder, rel), content);
  }
  const records = await plane.persistOutputs(ctx(runId, step), { out: folder });
  return { folder, record: records.out! };
}

const notesLines = (runId: string) => readFileSync(path.join(ws.runsDir, runId, 'output-notes.jsonl'), 'utf8').split('\n').filter(Boolean).length;

describe('LocalFolderDataPlane: an earlier output is reused only while it is exactly what was recorded', () => {
  test('an untouched output holds, read by another process from the note', async () => {
    const { record } = await persisted(new LocalFolderDataPlane(), 'run-1', 'a', { 'v.txt': 'one', 'sub/w.txt': 'two' });
    assert.equal(await new LocalFolderDataPlane().outputsExist({ out: record }), true);
  });

  const changes: [string, (folder: string) => void][] = [
    ['a file edited in place, same size', (f) => writeFileSync(path.join(f, 'v.txt'), 'ONE')],
    ['a file deleted', (f) => unlinkSync(path.join(f, 'sub', 'w.txt'))],
    ['a file added', (f) => writeFileSync(path.join(f, 'sub', 'new.txt'), 'x')],
    ['a file appended to', (f) => appendFileSync(path.join(f, 'v.txt'), '!')],
    ['the folder deleted', (f) => rmSync(f, { recursive: true })],
  ];
  for (const [what, change] of changes) {
    test(`${what}: not reused`, async () => {
      const step = what.replace(/[^a-z]+/g, '_');
      const { folder, record } = await persisted(new LocalFolderDataPlane(), 'run-2', step, { 'v.txt': 'one', 'sub/w.txt': 'two' });
      const checking = new LocalFolderDataPlane();
      assert.equal(await checking.outputsExist({ out: record }), true);
      change(folder);
      assert.equal(await checking.outputsExist({ out: record }), false, 'by the process that checked it before');
      assert.equal(await new LocalFolderDataPlane().outputsExist({ out: record }), false, 'by a new process');
    });
  }

  test('touched but the same content: hashed again, still reused, and noted again so the next check is a stat', async () => {
    const { folder, record } = await persisted(new LocalFolderDataPlane(), 'run-3', 'a', { 'v.txt': 'one' });
    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(folder, 'v.txt'), later, later);
    const lines = notesLines('run-3');
    assert.equal(await new LocalFolderDataPlane().outputsExist({ out: record }), true);
    assert.equal(notesLines('run-3'), lines + 1, 'noted again');
    assert.equal(await new LocalFolderDataPlane().outputsExist({ out: record }), true);
    assert.equal(notesLines('run-3'), lines + 1, 'trusted from the new note');
  });

  test('a record without a note (an earlier version, a folder elsewhere) is checked by hashing', async () => {
    const folder = path.join(ws.root, 'elsewhere');
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'v.txt'), 'one');
    const { out } = await new LocalFolderDataPlane().persistOutputs(ctx('run-4', 'a'), { out: folder });
    assert.equal(await new LocalFolderDataPlane().outputsExist({ out: out! }), true);
    writeFileSync(path.join(folder, 'v.txt'), 'two');
    assert.equal(await new LocalFolderDataPlane().outputsExist({ out: out! }), false);
    assert.equal(existsSync(path.join(path.dirname(ws.root), 'output-notes.jsonl')), false, 'no note outside a run folder');
  });

  test('the blob plane checks outputs recorded by the local-folder plane the same way', async () => {
    const { folder, record } = await persisted(new LocalFolderDataPlane(), 'run-5', 'a', { 'v.txt': 'one' });
    const blob = new BlobDataPlane(ws);
    assert.equal(await blob.outputsExist({ out: record }), true);
    writeFileSync(path.join(folder, 'v.txt'), 'two');
    assert.equal(await blob.outputsExist({ out: record }), false);
  });
});
