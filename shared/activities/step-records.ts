import { ConflictError } from '../errors';
import type { StepRunRecord } from '../store/records';
import type { NewStepRun, RunStore } from '../store/run-store';

/**
 * Read-modify-write of a step run with optimistic concurrency: re-reads and re-applies the
 * change when another writer got there first. `known`: the record as the caller just read it,
 * used for the first try instead of reading it again (a stale one only costs a conflict and a re-read).
 */
export async function updateStepRun(
  store: RunStore,
  runId: string,
  step: string,
  change: (current: StepRunRecord | undefined) => NewStepRun | undefined,
  known?: { current: StepRunRecord | undefined },
): Promise<StepRunRecord | undefined> {
  for (let tries = 0; ; tries++) {
    const current = tries === 0 && known ? known.current : await store.getStepRun(runId, step);
    const next = change(current);
    if (!next) return current;
    try {
      return await store.putStepRun(next, current?.version);
    } catch (err) {
      if (!(err instanceof ConflictError) || tries >= 10) throw err;
    }
  }
}

/** Drops the version so a record can be written back as a new state. */
export function withoutVersion(record: StepRunRecord): NewStepRun {
  const { version: _version, ...rest } = record;
  return rest;
}
