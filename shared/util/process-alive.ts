import { readFileSync } from 'node:fs';

/**
 * True when `pid` runs and is not a zombie. A process killed with -9 whose parent never reaps it
 * (a detached worker, Azurite) still answers signal 0, yet it is dead all the same.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch (err) {
    // Gone since the signal, or no /proc at all (not Linux: signal 0 is the best we know).
    return (err as NodeJS.ErrnoException).code !== 'ENOENT' || !readableProc();
  }
}

function readableProc(): boolean {
  try {
    readFileSync('/proc/self/stat');
    return true;
  } catch {
    return false;
  }
}
