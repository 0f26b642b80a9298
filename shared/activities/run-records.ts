import { ConflictError } from '../errors';
import type { RunRecord } from '../store/records';
import type { RunStore } from '../store/run-store';

type RunPatch = Partial<Omit<RunRecord, 'id' | 'version'>>;

/** Read-modify-write of a run record with optimistic concurrency (re-read on conflict). */
export async function updateRunRecord(
  store: RunStore,
  runId: string,
  change: (current: RunRecord) => RunPatch | undefined,
): Promise<RunRecord> {
  for (let tries = 0; ; tries++) {
    const current = await store.getRun(runId);
    if (!current) throw new ConflictError(`run "${runId}" disappeared while it was being updated`);
    const patch = change(current);
    if (!patch) return current;
    try {
      return await store.updateRun(runId, current.version, patch);
    } catch (err) {
      if (!(err instanceof ConflictError) || tries >= 10) throw err;
    }
  }
}
