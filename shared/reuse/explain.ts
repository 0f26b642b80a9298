/**
 * `tributary explain <runId> <step>`: for a reused step, whose outputs it took; for a step that
 * ran, why (reuse off, regeneration, no key, outputs gone, no match) and what differed from the
 * closest earlier run of the same step in the same pipeline.
 */
import { NotFoundError } from '../errors';
import type { RunStatus } from '../store/records';
import type { RunStore } from '../store/run-store';
import type { KeyMaterial } from './key-material';
import { diffMaterial, type Difference } from './material-diff';
import { entryOf, explainKey, type RunReason } from './reuse-records';
import type { SnapshotSource } from './snapshot-source';

/** How many earlier entries of a step are compared (newest first). */
export const EXPLAIN_HISTORY = 200;

export interface ClosestRun {
  runId: string;
  createdAt: string;
  status?: RunStatus;
  differences: Difference[];
}

export interface StepExplanation {
  runId: string;
  step: string;
  pipelineName: string;
  status: RunStatus;
  outcome: 'reused' | 'ran' | 'not-started';
  reusedFrom?: { runId: string; step: string };
  key?: string;
  /** Why the step ran; absent for runs recorded before reuse was explained. */
  reason?: RunReason;
  /** Why a Python step's key covered its whole snapshot instead of the files it read. */
  untracked?: string;
  /** How many snapshot observations its key checks, when narrowed. */
  observed?: number;
  closest?: ClosestRun;
  /** Earlier runs of the step compared. */
  compared: number;
}

export async function explainStep(store: RunStore, snapshots: SnapshotSource, runId: string, step: string): Promise<StepExplanation> {
  const run = await store.getRun(runId);
  if (!run) throw new NotFoundError(`run "${runId}" does not exist (list runs with: tributary runs)`, 'runId');
  if (!run.definition.steps[step]) {
    throw new NotFoundError(`run "${runId}" has no step "${step}" (steps: ${Object.keys(run.definition.steps).join(', ')})`, 'step');
  }
  const record = await store.getStepRun(runId, step);
  const base = { runId, step, pipelineName: run.pipelineName, status: record?.status ?? ('NotStarted' as const), compared: 0 };
  if (!record || (!record.reused && record.attempt === 0)) return { ...base, outcome: 'not-started' };
  if (record.reused) return { ...base, outcome: 'reused', ...(record.reusedFrom ? { reusedFrom: record.reusedFrom } : {}), ...(record.reuseKey ? { key: record.reuseKey } : {}) };
  const stored = await store.getReuse(explainKey(runId, step));
  const entry = entryOf(stored);
  if (entry?.kind !== 'step-explain') return { ...base, outcome: 'ran' };
  const explained: StepExplanation = {
    ...base,
    outcome: 'ran',
    reason: entry.reason,
    ...(record.reuseKey ? { key: record.reuseKey } : {}),
    ...(entry.untracked ? { untracked: entry.untracked } : {}),
    ...(entry.observed ? { observed: entry.observed.length } : {}),
  };
  if (!entry.material) return explained;
  const { closest, compared } = await closestEarlier(store, snapshots, { pipelineName: run.pipelineName, step, material: entry.material, before: { runId, createdAt: stored!.createdAt } });
  return { ...explained, compared, ...(closest ? { closest } : {}) };
}

/**
 * The earlier run of `step` whose key material differs least from `material` (newest on ties),
 * among the step's explain entries in the run store. `before` leaves out the run itself and later runs.
 */
export async function closestEarlier(
  store: RunStore,
  snapshots: SnapshotSource,
  query: { pipelineName: string; step: string; material: KeyMaterial; before?: { runId: string; createdAt: string } },
): Promise<{ closest?: ClosestRun; compared: number }> {
  const { material, before } = query;
  let closest: ClosestRun | undefined;
  let compared = 0;
  const current = material.snapshot ? await snapshots(material.snapshot) : undefined;
  for (const record of await store.listReuseForStep(query.pipelineName, query.step, EXPLAIN_HISTORY)) {
    const entry = entryOf(record);
    if (entry?.kind !== 'step-explain' || !entry.material) continue;
    if (before && (record.runId === before.runId || record.createdAt > before.createdAt)) continue;
    compared++;
    const earlier = entry.material.snapshot ? await snapshots(entry.material.snapshot) : undefined;
    const differences = diffMaterial(material, entry.material, {
      ...(current ? { current } : {}),
      ...(earlier ? { earlier } : {}),
      ...(entry.observed ? { earlierObserved: entry.observed } : {}),
    });
    if (!closest || differences.length < closest.differences.length) closest = { runId: record.runId, createdAt: record.createdAt, differences };
  }
  if (closest) {
    const status = (await store.getStepRun(closest.runId, query.step))?.status;
    if (status) closest.status = status;
  }
  return { ...(closest ? { closest } : {}), compared };
}

/** One line saying why a step ran. */
export function describeReason(reason: RunReason): string {
  switch (reason.why) {
    case 'allow-reuse-off':
      return 'reuse is off for this step (allow_reuse: false / is_deterministic: false)';
    case 'regenerate':
      return 'the run was submitted with --regenerate (regenerate_outputs)';
    case 'no-key':
      return `no reuse key could be made: ${reason.problem}`;
    case 'no-match':
      return 'no earlier run of this step had the same reuse key';
    case 'outputs-missing':
      return `run ${reason.staleRunId} had the same key, but its outputs are gone or no longer what it recorded`;
  }
}
