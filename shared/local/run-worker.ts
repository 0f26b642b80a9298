/**
 * Drives one run to its end in this process (the local worker). Holds the run's lease (pid +
 * heartbeat), turns a CancelRequested status written by another process into a cancel event,
 * and leaves all state in the run store so a killed worker can be replaced by `tributary resume`.
 */
import os from 'node:os';
import { updateRunRecord } from '../activities/run-records';
import type { MonitorSettings, RunSummary } from '../orchestration/messages';
import { LocalDriver } from '../orchestration/local-driver';
import { isProcessAlive } from '../util/process-alive';
import type { LocalServices } from './local-services';

/** Local compute long-polls, so no durable-timer delay between polls is needed. */
export const LOCAL_MONITOR: MonitorSettings = { pollWaitMs: 30_000, initialDelayMs: 0, maxDelayMs: 0 };
const HEARTBEAT_MS = 1_000;

export async function driveRun(services: LocalServices, runId: string): Promise<RunSummary> {
  const { store } = services;
  const driver = new LocalDriver(services.activities);
  const lease = () => ({ kind: 'local' as const, pid: process.pid, host: os.hostname(), heartbeatAt: new Date().toISOString() });
  await updateRunRecord(store, runId, () => ({ driver: lease() }));

  let cancelSent = false;
  const beat = setInterval(() => {
    void updateRunRecord(store, runId, (run) => {
      if (run.status === 'CancelRequested' && !cancelSent) {
        cancelSent = true;
        driver.signal(runId, { type: 'cancel', reason: run.statusReason ?? 'canceled by user' });
      }
      return run.driver?.pid === process.pid ? { driver: lease() } : undefined;
    }).catch(() => undefined);
  }, HEARTBEAT_MS);
  try {
    return await driver.run({ runId, monitor: LOCAL_MONITOR });
  } finally {
    clearInterval(beat);
  }
}

/** True when the run's local worker is gone (killed, crashed) while the run is unfinished. */
export function isLeaseStale(driver: { kind: string; pid?: number; host?: string; heartbeatAt: string } | undefined, nowMs = Date.now()): boolean {
  if (!driver || driver.kind !== 'local') return true;
  if (driver.host === os.hostname() && driver.pid !== undefined) return !isProcessAlive(driver.pid);
  return nowMs - Date.parse(driver.heartbeatAt) > 30_000;
}
