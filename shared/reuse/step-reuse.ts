/**
 * Reuse for the step activities: `decide` (prepareStep) looks for an earlier result with the
 * same key whose outputs still exist; `record` (finalizeStep) enters a completed step's result
 * into the index. Both keep the step run's explain entry, so `tributary explain` can say why.
 */
import type { DataPlane } from '../datastore/data-plane';
import type { StepDefinition } from '../model/definition';
import type { OutputRecord, ReuseRecord, RunRecord } from '../store/records';
import type { RunStore } from '../store/run-store';
import { canonicalJson, coarseKey, wholeKey, type KeyMaterial } from './key-material';
import { stepMaterial } from './material';
import { itemsToCheck, parseReads, tracksReads } from './reads';
import { findResult, recordResult, type LookupKeys } from './reuse-index';
import { entryOf, explainKey, type ExplainEntry, type RunReason } from './reuse-records';
import type { SnapshotSource } from './snapshot-source';

export interface StepReuseDeps {
  store: RunStore;
  data: DataPlane;
  snapshots: SnapshotSource;
  now: () => string;
}

export type ReuseDecision = { reuse: ReuseRecord } | { run: RunReason };

export interface StepReuse {
  decide(run: RunRecord, def: StepDefinition): Promise<ReuseDecision>;
  /** `reads`: what the read-tracking hook wrote, for a Python step. Returns the key recorded. */
  record(run: RunRecord, def: StepDefinition, outputs: Record<string, OutputRecord>, reads: string | undefined): Promise<string | undefined>;
}

/** The keys a step's material is looked up and recorded under. */
export async function lookupKeys(material: KeyMaterial, def: StepDefinition, snapshots: SnapshotSource): Promise<LookupKeys> {
  const coarse = coarseKey(material);
  const narrow = tracksReads(def) && material.snapshot ? await snapshots(material.snapshot) : undefined;
  return { coarse, whole: wholeKey(coarse, material.snapshot), ...(narrow ? { narrow } : {}) };
}

export function createStepReuse(deps: StepReuseDeps): StepReuse {
  const { store, data, snapshots, now } = deps;

  const materialOf = (run: RunRecord, def: StepDefinition) =>
    stepMaterial(def, {
      pipeline: run.definition,
      parameters: run.parameters,
      snapshot: run.options.snapshots?.[def.name],
      data,
      async upstream(step, output) {
        const producer = await store.getStepRun(run.id, step);
        const record = producer?.status === 'Completed' ? producer.outputs[output] : undefined;
        return record && { record, runId: producer!.reusedFrom?.runId ?? producer!.runId };
      },
    });

  /** `known`: the explain entry as just read (explain entries are never deleted), saving a write. */
  const saveExplain = async (run: RunRecord, def: StepDefinition, entry: ExplainEntry, known?: ReuseRecord): Promise<void> => {
    const record: ReuseRecord = { key: explainKey(run.id, def.name), pipelineName: run.pipelineName, runId: run.id, step: def.name, outputs: {}, manifest: entry, createdAt: now() };
    const stored = known ?? (await store.putReuseIfAbsent(record));
    if (canonicalJson(stored.manifest) !== canonicalJson(entry)) await store.replaceReuse({ ...record, createdAt: stored.createdAt }, run.id);
  };

  return {
    async decide(run, def) {
      const found = await materialOf(run, def);
      let reason: RunReason;
      if (!def.allowReuse) reason = { why: 'allow-reuse-off' };
      else if (run.options.regenerateOutputs) reason = { why: 'regenerate' };
      else if ('problem' in found) reason = { why: 'no-key', problem: found.problem };
      else {
        const result = await findResult(store, await lookupKeys(found.material, def, snapshots));
        if (result && (await data.outputsExist(result.outputs, run.id))) return { reuse: result };
        reason = result ? { why: 'outputs-missing', staleRunId: result.runId } : { why: 'no-match' };
      }
      await saveExplain(run, def, { kind: 'step-explain', reason, ...('material' in found ? { material: found.material } : {}) });
      return { run: reason };
    },

    async record(run, def, outputs, reads) {
      const stored = await store.getReuse(explainKey(run.id, def.name));
      const explain = entryOf(stored);
      if (explain?.kind !== 'step-explain' || !explain.material || explain.reason.why === 'allow-reuse-off') return undefined;
      const keys = await lookupKeys(explain.material, def, snapshots);
      const parsed = keys.narrow ? parseReads(reads) : undefined;
      const observed = parsed && keys.narrow && 'observed' in parsed ? itemsToCheck(parsed.observed, keys.narrow) : undefined;
      const regenerate = explain.reason.why === 'regenerate';
      const result = { pipelineName: run.pipelineName, runId: run.id, step: def.name, outputs, createdAt: now() };
      const key = await recordResult(store, result, keys, observed, async (existing) => regenerate || !(await data.outputsExist(existing.outputs)));
      const untracked = parsed && 'untracked' in parsed ? parsed.untracked : undefined;
      await saveExplain(run, def, { ...explain, ...(observed ? { observed } : {}), ...(untracked ? { untracked } : {}), ...(key ? { key } : {}) }, stored);
      return key;
    },
  };
}
