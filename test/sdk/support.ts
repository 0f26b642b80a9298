import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stopAzurite } from '../../shared/datastore/azurite/azurite';
import { resolveWorkspace } from '../../shared/workspace/workspace';
import { ValidationError } from '../../shared/errors';

/** Runs `fn`, expecting a ValidationError with exactly `message` (and `target` when given). */
export function throwsValidation(fn: () => unknown, message: string, target?: string): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(err instanceof ValidationError, `expected a ValidationError, got ${String(err)}`);
    assert.equal(err.message, message);
    if (target !== undefined) assert.equal(err.target, target);
    return true;
  });
}

/** A temporary folder with `files` (relative path → content); `cleanup` removes it. */
export async function tempFolder(files: Record<string, string>): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'tributary-sdk-'));
  for (const [name, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
    await writeFile(path.join(dir, name), content);
  }
  const cleanup = async () => {
    // Workspaces under the folder may have started their embedded Azurite: stop it before removing its data.
    for (const root of [dir, path.join(dir, '.tributary'), path.join(dir, 'ws')]) await stopAzurite(resolveWorkspace(root));
    await rm(dir, { recursive: true, force: true });
  };
  return { dir, cleanup };
}
