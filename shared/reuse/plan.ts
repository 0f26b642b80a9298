/**
 * `tributary plan`: which steps of a submission would be reused and which would run, and why,
 * without running anything. Steps are decided in DAG order exactly as prepareStep would decide
 * them, with upstream outputs taken from the results the plan would reuse; a step downstream of
 * one that would run cannot be keyed (its inputs do not exist yet), so it is said to run.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { DataPlane } from '../datastore/data-plane';
import { stepDependencies, topologicalOrder } from '../model/graph';
import type { PipelineDefinition, ScalarValue } from '../model/definition';
import type { ContentStore } from '../snapshot/content-store';
import { takeSnapshot, type SnapshotDeps } from '../snapshot/snapshot';
import type { OutputRecord } from '../store/records';
import type { RunStore } from '../store/run-store';
import { closestEarlier, describeReason, type ClosestRun } from './explain';
import { stepMaterial } from './material';
import { findResult } from './reuse-index';
import type { RunReason } from './reuse-records';
import { SnapshotIndex } from './snapshot-index';
import type { SnapshotSource } from './snapshot-source';
import { lookupKeys } from './step-reuse';

export interface PlannedStep {
  step: string;
  action: 'reuse' | 'run';
  /** The step run whose outputs would be taken. */
  reusedFrom?: { runId: string; step: string };
  why: string;
  /** For a step that would run although it could be keyed: its closest earlier run and what differs. */
  closest?: ClosestRun;
}

export interface PlanRequest {
  definition: PipelineDefinition;
  parameters: Record<string, ScalarValue>;
  /** Step → its source folder's snapshot as it is now. */
  snapshots: Record<string, SnapshotIndex>;
  regenerate: boolean;
}

export async function planRun(req: PlanRequest, deps: { store: RunStore; data: DataPlane; snapshots: SnapshotSource }): Promise<PlannedStep[]> {
  const current = new Map(Object.values(req.snapshots).map((s) => [s.id, s]));
  const snapshots: SnapshotSource = async (id) => current.get(id) ?? deps.snapshots(id);
  const upstreamOf = stepDependencies(req.definition);
  // One id for this plan's existence checks, so a data plane can answer them all from one look at an earlier run.
  const checkedFor = `plan:${randomUUID()}`;
  const planned = new Map<string, PlannedStep & { outputs?: Record<string, OutputRecord> }>();
  const runs = (step: string, why: string) => planned.set(step, { step, action: 'run', why });
  for (const name of topologicalOrder(req.definition)) {
    const def = req.definition.steps[name]!;
    const waiting = [...(upstreamOf.get(name) ?? [])].filter((u) => planned.get(u)?.action === 'run');
    if (!def.allowReuse) runs(name, describeReason({ why: 'allow-reuse-off' }));
    else if (req.regenerate) runs(name, describeReason({ why: 'regenerate' }));
    else if (waiting.length > 0) runs(name, `upstream ${waiting.length === 1 ? 'step' : 'steps'} ${waiting.join(', ')} will run, so its inputs are not known yet`);
    if (planned.has(name)) continue;
    const found = await stepMaterial(def, {
      pipeline: req.definition,
      parameters: req.parameters,
      snapshot: req.snapshots[name]?.id,
      data: deps.data,
      async upstream(step, output) {
        const from = planned.get(step);
        const record = from?.outputs?.[output];
        return record && from?.reusedFrom ? { record, runId: from.reusedFrom.runId } : undefined;
      },
    });
    if ('problem' in found) {
      runs(name, describeReason({ why: 'no-key', problem: found.problem }));
      continue;
    }
    const result = await findResult(deps.store, await lookupKeys(found.material, def, snapshots));
    if (result && (await deps.data.outputsExist(result.outputs, checkedFor))) {
      planned.set(name, { step: name, action: 'reuse', reusedFrom: { runId: result.runId, step: result.step }, why: `same reuse key as run ${result.runId}`, outputs: result.outputs });
      continue;
    }
    const reason: RunReason = result ? { why: 'outputs-missing', staleRunId: result.runId } : { why: 'no-match' };
    const { closest } = await closestEarlier(deps.store, snapshots, { pipelineName: req.definition.name, step: name, material: found.material });
    planned.set(name, { step: name, action: 'run', why: describeReason(reason), ...(closest ? { closest } : {}) });
  }
  return topologicalOrder(req.definition).map((name) => {
    const { outputs: _outputs, ...step } = planned.get(name)!;
    return step;
  });
}

/**
 * Snapshots each step's source folder as a run would, but stores nothing: only the manifests
 * are needed to decide reuse (the stat cache is still updated, which only speeds the next run).
 */
export async function planSnapshots(def: PipelineDefinition, deps: Omit<SnapshotDeps, 'store'>): Promise<Record<string, SnapshotIndex>> {
  const byFolder = new Map<string, SnapshotIndex>();
  const out: Record<string, SnapshotIndex> = {};
  for (const [name, step] of Object.entries(def.steps)) {
    if (!step.codeDir) continue;
    const dir = path.resolve(step.codeDir);
    let index = byFolder.get(dir);
    if (!index) {
      const snap = await takeSnapshot(dir, { ...deps, store: NOTHING_STORED });
      byFolder.set(dir, (index = new SnapshotIndex(snap.id, snap.manifest)));
    }
    out[name] = index;
  }
  return out;
}

/** A content store that claims to hold everything and keeps nothing: snapshotting only hashes. */
const NOTHING_STORED: ContentStore = {
  has: async (digests) => new Set(digests),
  put: async () => undefined,
  get: async () => {
    throw new Error('the plan snapshot store holds no content');
  },
  putManifest: async () => undefined,
  getManifest: async () => undefined,
};
