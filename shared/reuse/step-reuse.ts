/**
 * Reuse for the step activities: `decide` (prepareStep) looks for an earlier result with the
 * same key whose outputs still exist; `record` (finalizeStep) enters a completed step's result
 * into the index. Both keep the step run's explain entry, so `tributary explain` can say why.
 */
import type { CompletedStepLookup } from '../activities/step-inputs';
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
  /** The producers of a step's upstream inputs, once Completed. */
  completedStep: CompletedStepLookup;
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

/** Decisions kept between `decide` and `record` of one step run in this process, at most this many. */
const MEMO_LIMIT = 10_000;

interface Decided {
  stored: ReuseRecord;
  entry: ExplainEntry;
  keys?: LookupKeys;
}

export function createStepReuse(deps: StepReuseDeps): StepReuse {
  const { store, data, snapshots, now, completedStep } = deps;
  // What `decide` stored for a step run, so `record` in the same process (the local worker) neither
  // reads the explain entry back nor hashes the key material again. Another process reads the store.
  const decided = new Map<string, Decided>();
  const remember = (key: string, value: Decided): void => {
    decided.set(key, value);
    if (decided.size > MEMO_LIMIT) decided.delete(decided.keys().next().value!);
  };

  const materialOf = (run: RunRecord, def: StepDefinition) =>
    stepMaterial(def, {
      pipeline: run.definition,
      parameters: run.parameters,
      snapshot: run.options.snapshots?.[def.name],
      data,
      async upstream(step, output) {
        const producer = await completedStep(run.id, step);
        const record = producer?.outputs[output];
        return record && { record, runId: producer!.reusedFrom?.runId ?? producer!.runId };
      },
    });

  /** Stores `entry` as the step run's explain entry; `known`: the entry as stored now (explain entries are never deleted). */
  const saveExplain = async (run: RunRecord, def: StepDefinition, entry: ExplainEntry, known?: ReuseRecord): Promise<ReuseRecord> => {
    const record: ReuseRecord = { key: explainKey(run.id, def.name), pipelineName: run.pipelineName, runId: run.id, step: def.name, outputs: {}, manifest: entry, createdAt: now() };
    const stored = known ?? (await store.putReuseIfAbsent(record));
    if (stored === record || canonicalJson(stored.manifest) === canonicalJson(entry)) return stored;
    const replaced = { ...record, createdAt: stored.createdAt };
    await store.replaceReuse(replaced, run.id);
    return replaced;
  };

  const decidedFor = async (run: RunRecord, def: StepDefinition): Promise<Decided | undefined> => {
    const memo = decided.get(explainKey(run.id, def.name));
    if (memo) return memo;
    const stored = await store.getReuse(explainKey(run.id, def.name));
    const entry = entryOf(stored);
    return entry?.kind === 'step-explain' ? { stored: stored!, entry } : undefined;
  };

  return {
    async decide(run, def) {
      const found = await materialOf(run, def);
      let reason: RunReason;
      let keys: LookupKeys | undefined;
      if (!def.allowReuse) reason = { why: 'allow-reuse-off' };
      else if (run.options.regenerateOutputs) reason = { why: 'regenerate' };
      else if ('problem' in found) reason = { why: 'no-key', problem: found.problem };
      else {
        keys = await lookupKeys(found.material, def, snapshots);
        const result = await findResult(store, keys);
        if (result && (await data.outputsExist(result.outputs, run.id))) return { reuse: result };
        reason = result ? { why: 'outputs-missing', staleRunId: result.runId } : { why: 'no-match' };
      }
      const entry: ExplainEntry = { kind: 'step-explain', reason, ...('material' in found ? { material: found.material } : {}) };
      const stored = await saveExplain(run, def, entry);
      remember(explainKey(run.id, def.name), { stored, entry, ...(keys ? { keys } : {}) });
      return { run: reason };
    },

    async record(run, def, outputs, reads) {
      const found = await decidedFor(run, def);
      decided.delete(explainKey(run.id, def.name));
      const explain = found?.entry;
      if (!found || !explain?.material || explain.reason.why === 'allow-reuse-off') return undefined;
      const keys = found.keys ?? (await lookupKeys(explain.material, def, snapshots));
      const parsed = keys.narrow ? parseReads(reads) : undefined;
      const observed = parsed && keys.narrow && 'observed' in parsed ? itemsToCheck(parsed.observed, keys.narrow) : undefined;
      const regenerate = explain.reason.why === 'regenerate';
      const result = { pipelineName: run.pipelineName, runId: run.id, step: def.name, outputs, createdAt: now() };
      const key = await recordResult(store, result, keys, observed, async (existing) => regenerate || !(await data.outputsExist(existing.outputs, run.id)));
      const untracked = parsed && 'untracked' in parsed ? parsed.untracked : undefined;
      // The key itself goes into the step run record (reuseKey); only what the run observed is new here.
      if (observed || untracked) await saveExplain(run, def, { ...explain, ...(observed ? { observed } : {}), ...(untracked ? { untracked } : {}) }, found.stored);
      return key;
    },
  };
}
