import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { attemptLogFiles, attemptPaths, clearAttempt, outputFolder, resolveWorkspace, stepFolder } from '../../shared/workspace/workspace';

const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-layout-'));
after(() => rmSync(root, { recursive: true, force: true }));
const ws = resolveWorkspace(root);

describe('workspace layout of a step', () => {
  test("an attempt's entries sit beside the outputs and never share a name with one", () => {
    const paths = attemptPaths(ws, 'run-1', 'train', 1);
    const step = stepFolder(ws, 'run-1', 'train');
    for (const entry of Object.values(paths)) assert.equal(path.dirname(entry), step, entry);
    // "attempt-1" is a valid output name; the attempt's entries all have a dot, which no output name has.
    const output = outputFolder(ws, 'run-1', 'train', 'attempt-1');
    assert.ok(!Object.values(paths).includes(output));
    assert.ok(Object.values(paths).every((entry) => path.basename(entry).startsWith('attempt-1.')));
    assert.throws(() => outputFolder(ws, 'run-1', 'train', 'attempt-1.work'), /output name/);
  });

  test('clearing an attempt removes what an earlier start left, and nothing else', async () => {
    assert.equal(await clearAttempt(attemptPaths(ws, 'run-2', 'never', 1)), false, 'a step that never started has nothing to clear');
    const paths = attemptPaths(ws, 'run-2', 'train', 1);
    mkdirSync(path.join(paths.workDir, 'sub'), { recursive: true });
    mkdirSync(path.join(paths.dataDir, 'inputs'), { recursive: true });
    for (const file of [paths.stdout, paths.stderr, paths.metrics, paths.reads]) writeFileSync(file, 'x');
    const kept = attemptPaths(ws, 'run-2', 'train', 2);
    writeFileSync(kept.stdout, 'attempt 2');
    mkdirSync(outputFolder(ws, 'run-2', 'train', 'model'));
    assert.equal(await clearAttempt(paths), true);
    assert.deepEqual(readdirSync(stepFolder(ws, 'run-2', 'train')).sort(), ['attempt-2.stdout.log', 'model']);
  });

  test('logs of a run recorded before this layout are still found', () => {
    const current = attemptPaths(ws, 'run-3', 'old', 1);
    assert.deepEqual(attemptLogFiles(ws, 'run-3', 'old', 1), { stdout: current.stdout, stderr: current.stderr }, 'nothing yet: where they will be');
    const earlier = path.join(stepFolder(ws, 'run-3', 'old'), 'attempt-1');
    mkdirSync(earlier, { recursive: true });
    writeFileSync(path.join(earlier, 'stdout.log'), 'from an earlier version\n');
    assert.deepEqual(attemptLogFiles(ws, 'run-3', 'old', 1), { stdout: path.join(earlier, 'stdout.log'), stderr: path.join(earlier, 'stderr.log') });
    writeFileSync(current.stdout, 'now\n');
    assert.equal(attemptLogFiles(ws, 'run-3', 'old', 1).stdout, current.stdout, 'the current place wins once it exists');
    assert.ok(existsSync(current.stdout));
  });
});
