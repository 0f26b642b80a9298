import * as fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseHandle } from './handle';

/**
 * Finding and stopping step processes left behind by a driver that died (crash, kill -9).
 *
 * A process is "ours" only if its initial environment (`/proc/<pid>/environ`) holds
 * `TRIBUTARY_JOB_ID=<jobId>`, which `LocalCompute` adds to every step; a pid alone is never
 * trusted, since pids are reused. Linux only: without `/proc` nothing is verified, so nothing is
 * killed. Zombies have an empty environ, so they never count as running.
 */
export const JOB_ID_VARIABLE = 'TRIBUTARY_JOB_ID';

const POLL_MS = 25;
/** How long to wait for SIGKILLed processes to disappear before giving up. */
const AFTER_KILL_MS = 2000;

/** True if `pid` is a live process whose environment names this job. */
export function isProcessOfJob(pid: number, jobId: string): boolean {
  let environ: Buffer;
  try {
    environ = fs.readFileSync(`/proc/${pid}/environ`);
  } catch {
    return false; // gone, or not ours to read
  }
  const wanted = Buffer.from(`${JOB_ID_VARIABLE}=${jobId}\0`);
  return environ.subarray(0, wanted.length).equals(wanted) || environ.includes(Buffer.concat([Buffer.from([0]), wanted]));
}

/** The process-group id of `pid`, from `/proc/<pid>/stat` (fields after the command name: state ppid pgrp). */
export function processGroupOf(pid: number | 'self'): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pgrp = Number(fields[2]);
    return Number.isSafeInteger(pgrp) && pgrp > 0 ? pgrp : undefined;
  } catch {
    return undefined;
  }
}

/** Process groups holding live processes of this job (the pid hint is checked first, then `/proc` is scanned). */
export function findJobProcessGroups(jobId: string, pidHint?: number): Set<number> {
  const groups = new Set<number>();
  const own = processGroupOf('self');
  const add = (pid: number): void => {
    const pgid = processGroupOf(pid);
    if (pgid !== undefined && pgid !== own && pgid !== process.pid) groups.add(pgid);
  };
  if (pidHint !== undefined && isProcessOfJob(pidHint, jobId)) {
    add(pidHint);
    return groups;
  }
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return groups;
  }
  for (const name of entries) {
    const pid = Number(name);
    if (Number.isSafeInteger(pid) && pid > 0 && pid !== process.pid && isProcessOfJob(pid, jobId)) add(pid);
  }
  return groups;
}

function signalGroups(groups: Iterable<number>, signal: NodeJS.Signals): void {
  for (const pgid of groups) {
    try {
      process.kill(-pgid, signal);
    } catch {
      // ESRCH: already gone
    }
  }
}

async function waitUntilGone(jobId: string, ms: number): Promise<Set<number>> {
  const deadline = Date.now() + ms;
  let left = findJobProcessGroups(jobId);
  while (left.size > 0 && Date.now() < deadline) {
    await sleep(POLL_MS);
    left = findJobProcessGroups(jobId);
  }
  return left;
}

/**
 * Stops the processes of a job started by another (dead) driver: SIGTERM to their process groups,
 * SIGKILL to what is left after `graceMs`. Resolves when none is left running (or after a short
 * wait past the SIGKILL). Returns true if any process of the job was found.
 */
export async function killOrphanProcesses(handle: string, graceMs: number): Promise<boolean> {
  const { jobId, pid } = parseHandle(handle);
  const groups = findJobProcessGroups(jobId, pid);
  if (groups.size === 0) return false;
  signalGroups(groups, 'SIGTERM');
  const left = await waitUntilGone(jobId, graceMs);
  if (left.size > 0) {
    signalGroups(new Set([...groups, ...left]), 'SIGKILL');
    await waitUntilGone(jobId, AFTER_KILL_MS);
  }
  return true;
}
