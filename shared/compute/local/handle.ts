import { ValidationError } from '../../errors';

/**
 * Handles of the local compute target.
 *
 * Format: `local:<pid>:<jobId>`
 * - `<pid>` is the pid of the step's `bash` process, which is also its process-group id (steps
 *   start in their own process group). It is `-` when the job was queued at submission time and so
 *   had no process yet; the handle never changes after `submit`.
 * - `<jobId>` is `StepJob.id`, verbatim (it may itself contain `:`; everything after the second
 *   colon belongs to it).
 *
 * Within the submitting process the job id finds the job. From another process (the driver after a
 * crash) the pid, checked against the `TRIBUTARY_JOB_ID` variable every step process carries,
 * finds the process group; when the pid is missing or no longer ours, a scan of `/proc` for that
 * variable does.
 */
export interface LocalHandle {
  jobId: string;
  pid?: number;
}

const PREFIX = 'local:';

export function formatHandle(jobId: string, pid: number | undefined): string {
  return `${PREFIX}${pid ?? '-'}:${jobId}`;
}

export function parseHandle(handle: string): LocalHandle {
  const sep = handle.indexOf(':', PREFIX.length);
  const pidText = handle.slice(PREFIX.length, sep);
  const jobId = handle.slice(sep + 1);
  const pid = Number(pidText);
  const pidOk = pidText === '-' || (/^[1-9][0-9]*$/.test(pidText) && Number.isSafeInteger(pid));
  if (!handle.startsWith(PREFIX) || sep < 0 || !pidOk || jobId === '') {
    throw new ValidationError(`not a local compute handle: "${handle}" (expected local:<pid>:<jobId>)`, 'handle');
  }
  return pidText === '-' ? { jobId } : { jobId, pid };
}
