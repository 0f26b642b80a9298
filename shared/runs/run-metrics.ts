/**
 * The metrics of a run as users see them (`tributary show`, the SDK, the HTTP API): what each
 * step logged, and for a reused step what the step run it reused logged. A reused step starts no
 * process and logs nothing itself; like its logs, its metrics are those of its origin, which each
 * record names in its `runId`.
 */
import type { MetricRecord } from '../store/records';
import type { RunStore } from '../store/run-store';

/** In the run's step order (then as logged); `step`: only that step's. */
export async function runMetrics(store: RunStore, runId: string, step?: string): Promise<MetricRecord[]> {
  const steps = step === undefined ? await store.listStepRuns(runId) : [await store.getStepRun(runId, step)].filter((s) => s !== undefined);
  const own = await store.listMetrics(runId, step);
  const reused = steps.filter((s) => s.reused && s.reusedFrom);
  if (reused.length === 0) return own;
  // One query per origin run, not per step: an all-reused run of a large pipeline has one origin.
  const byOrigin = new Map<string, Map<string, string>>();
  for (const s of reused) {
    const from = s.reusedFrom!;
    const names = byOrigin.get(from.runId) ?? byOrigin.set(from.runId, new Map()).get(from.runId)!;
    names.set(from.step, s.step);
  }
  const inherited: MetricRecord[] = [];
  for (const [originRun, names] of byOrigin) {
    const only = names.size === 1 ? [...names.keys()][0] : undefined;
    for (const record of await store.listMetrics(originRun, only)) {
      const as = names.get(record.step);
      if (as !== undefined) inherited.push({ ...record, step: as });
    }
  }
  const order = new Map(steps.map((s, i) => [s.step, i]));
  const rank = (m: MetricRecord) => order.get(m.step) ?? order.size;
  return [...own, ...inherited].map((m, i) => ({ m, i })).sort((a, b) => rank(a.m) - rank(b.m) || a.i - b.i).map(({ m }) => m);
}

/** A metric as `show --json` and the HTTP API give it: `fromRunId` names the run it came from when that is not `runId`. */
export function metricView(m: MetricRecord, runId: string) {
  return {
    step: m.step,
    name: m.name,
    value: m.value,
    ...(m.index !== undefined ? { index: m.index } : {}),
    loggedAt: m.loggedAt,
    ...(m.runId !== runId ? { fromRunId: m.runId } : {}),
  };
}
