/**
 * One local host per workspace: `host.lock` in the workspace names the serving process. A second
 * `tributary serve` on the same workspace is refused (it would re-queue the first one's runs at
 * start-up); a lock left by a process that is gone is taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConflictError } from '../shared/errors';
import type { Workspace } from '../shared/workspace/workspace';
import { isProcessAlive } from '../shared/util/process-alive';

interface LockContent {
  pid: number;
  url: string;
}

function readLock(file: string): LockContent | undefined {
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (typeof parsed === 'object' && parsed !== null && 'pid' in parsed && 'url' in parsed) {
      const { pid, url } = parsed;
      if (typeof pid === 'number' && typeof url === 'string') return { pid, url };
    }
  } catch {
    // unreadable or half-written: treated as stale
  }
  return undefined;
}

/** The URL of the host serving `workspace` right now, if one is. */
export function servingUrl(workspace: Workspace): string | undefined {
  const holder = readLock(path.join(workspace.root, 'host.lock'));
  return holder && isProcessAlive(holder.pid) ? holder.url : undefined;
}

/** Takes the workspace's host lock for this process; returns the function that releases it. */
export function acquireHostLock(workspace: Workspace, url: string): () => void {
  const file = path.join(workspace.root, 'host.lock');
  const mine = JSON.stringify({ pid: process.pid, url, startedAt: new Date().toISOString() });
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(file, mine, { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const holder = readLock(file);
      if (holder && isProcessAlive(holder.pid)) {
        throw new ConflictError(`workspace ${workspace.root} is already served by process ${holder.pid} at ${holder.url}; stop it or serve another --workspace`, 'workspace');
      }
      unlinkSync(file);
    }
  }
  return () => {
    try {
      if (readFileSync(file, 'utf8') === mine) unlinkSync(file);
    } catch {
      // already gone
    }
  };
}
