/**
 * What a workspace remembers about its Azurite: the port (kept across restarts so tools pointed
 * at it keep working) and the pid of the live process, plus a lock file so two processes of the
 * same workspace never start two Azurites on one `--location`.
 */
import { readFileSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { TransientError } from '../../errors';
import { isProcessAlive } from '../../util/process-alive';

const STATE_FILE = 'tributary-azurite.json';
const LOCK_FILE = 'tributary-azurite.lock';
/** Names the Azurite a process is starting, until its state is recorded (a killed starter leaves it). */
const STARTING_FILE = 'tributary-azurite.starting';
/** A lock file whose content is not a pid yet is being written; older than this it is abandoned. */
const UNREADABLE_LOCK_GRACE_MS = 2_000;

const StateSchema = z.object({
  port: z.number().int().min(1).max(65535),
  pid: z.number().int().positive().optional(),
  startedAt: z.string().optional(),
});
export type AzuriteState = z.infer<typeof StateSchema>;

export function readAzuriteState(dir: string): AzuriteState | undefined {
  try {
    const parsed = StateSchema.safeParse(JSON.parse(readFileSync(path.join(dir, STATE_FILE), 'utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export async function writeAzuriteState(dir: string, state: AzuriteState): Promise<void> {
  const file = path.join(dir, STATE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await rename(tmp, file);
}

export async function recordStarting(dir: string, pid: number): Promise<void> {
  await writeFile(path.join(dir, STARTING_FILE), `${pid}\n`, { mode: 0o600 });
}

export async function clearStarting(dir: string): Promise<void> {
  await rm(path.join(dir, STARTING_FILE), { force: true });
}

/**
 * The pid of an Azurite a starter began and never recorded (it died meanwhile), if that process
 * still runs on this workspace's folder; call it holding the lock.
 */
export function abandonedStart(dir: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(path.join(dir, STARTING_FILE), 'utf8').trim());
  } catch {
    return undefined;
  }
  return Number.isSafeInteger(pid) && pid > 0 && runsOnFolder(pid, dir) ? pid : undefined;
}

/**
 * True when `pid` is a live process started on this workspace's Azurite folder — never a recycled
 * pid of another program. False where there is no /proc to tell.
 */
export function runsOnFolder(pid: number, dir: string): boolean {
  if (!isProcessAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(dir);
  } catch {
    return false;
  }
}

/** Runs `fn` holding the workspace's Azurite lock; waits for another holder at most `timeoutMs`. */
export async function withAzuriteLock<T>(dir: string, timeoutMs: number, fn: () => Promise<T>): Promise<T> {
  const file = path.join(dir, LOCK_FILE);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await writeFile(file, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = await lockHolder(file);
    if (holder === 'abandoned') {
      await rm(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new TransientError(`another process (pid ${holder}) is starting or stopping Azurite for ${dir}; still busy after ${timeoutMs} ms (remove ${file} if that process is gone)`);
    }
    await sleep(50);
  }
  try {
    return await fn();
  } finally {
    await rm(file, { force: true });
  }
}

async function lockHolder(file: string): Promise<number | 'abandoned' | 'unknown'> {
  try {
    const pid = Number((await readFile(file, 'utf8')).trim());
    if (Number.isSafeInteger(pid) && pid > 0) return isProcessAlive(pid) ? pid : 'abandoned';
    return Date.now() - (await stat(file)).mtimeMs > UNREADABLE_LOCK_GRACE_MS ? 'abandoned' : 'unknown';
  } catch {
    return 'unknown'; // removed between our create attempt and this read: try again
  }
}
