/**
 * The reuse index in the run store: lookups and records of step results, written only with
 * `putReuseIfAbsent` (first writer wins) and `replaceReuse` (compare-and-swap on the run id), so
 * runs racing on one key all end up reading one consistent entry.
 *
 * A narrowed (Python) key is a chain, like a decision tree: the root key covers everything but
 * the Python sources; the node there lists observations (`r:src/train.py`, `l:src`) whose states
 * in the snapshot give the next key, and so on until a result. A result sits at the end of a
 * chain only if the run that wrote it observed nothing beyond what the chain checks, so a later
 * snapshot that reaches it agrees with that run on everything the run could have seen.
 */
import type { ReuseRecord } from '../store/records';
import type { RunStore } from '../store/run-store';
import { entryOf, type NodeEntry, type ResultEntry } from './reuse-records';
import { childKey, narrowRootKey, type CheckItem, type SnapshotIndex } from './snapshot-index';

/** Deeper chains only arise from steps whose reads keep changing; they are keyed whole instead. */
export const MAX_CHAIN = 16;

export interface LookupKeys {
  coarse: string;
  whole: string;
  /** The step's snapshot, when its key may be narrowed. */
  narrow?: SnapshotIndex;
}

/** The result an earlier step run recorded for these keys: narrowed chain first, then the whole key. */
export async function findResult(store: RunStore, keys: LookupKeys): Promise<ReuseRecord | undefined> {
  if (keys.narrow) {
    let key = narrowRootKey(keys.coarse, keys.narrow);
    for (let depth = 0; depth < MAX_CHAIN; depth++) {
      const record = await store.getReuse(key);
      const entry = entryOf(record);
      if (entry?.kind === 'reuse-result') return record;
      if (entry?.kind !== 'reuse-node') break;
      key = childKey(key, entry.check, keys.narrow);
    }
  }
  const record = await store.getReuse(keys.whole);
  return entryOf(record)?.kind === 'reuse-result' ? record : undefined;
}

/** A finished step run's result, as it goes into the index (key and manifest are set here). */
export type ResultRecord = Omit<ReuseRecord, 'key' | 'manifest'>;

/** Decides whether an existing result may be replaced by this one (stale outputs, regeneration). */
export type ReplacePolicy = (existing: ReuseRecord) => Promise<boolean>;

/**
 * Records a result down the narrowed chain when `observed` is given, else (or when the chain
 * cannot take it: too deep, or another run's entry already sits where this one belongs) under the
 * whole key, which is always sound. Returns the key the result went to.
 */
export async function recordResult(
  store: RunStore,
  result: ResultRecord,
  keys: LookupKeys,
  observed: readonly CheckItem[] | undefined,
  replace: ReplacePolicy,
): Promise<string | undefined> {
  if (keys.narrow && observed) {
    const placed = await recordNarrowed(store, result, narrowRootKey(keys.coarse, keys.narrow), keys.narrow, observed, replace);
    if (placed) return placed;
  }
  const entry: ResultEntry = { kind: 'reuse-result', scheme: 'whole' };
  return putResult(store, { ...result, key: keys.whole, manifest: entry }, replace);
}

async function recordNarrowed(
  store: RunStore,
  result: ResultRecord,
  root: string,
  index: SnapshotIndex,
  observed: readonly CheckItem[],
  replace: ReplacePolicy,
): Promise<string | undefined> {
  let key = root;
  let remaining = [...observed];
  for (let depth = 0; depth < MAX_CHAIN; depth++) {
    if (remaining.length === 0) {
      const entry: ResultEntry = { kind: 'reuse-result', scheme: 'narrow' };
      return putResult(store, { ...result, key, manifest: entry }, replace);
    }
    const node: NodeEntry = { kind: 'reuse-node', check: remaining };
    const stored = entryOf(await store.putReuseIfAbsent({ ...result, outputs: {}, key, manifest: node }));
    if (stored?.kind !== 'reuse-node') return undefined;
    const checked = new Set(stored.check);
    remaining = remaining.filter((item) => !checked.has(item));
    key = childKey(key, stored.check, index);
  }
  return undefined;
}

/** First writer wins; a later writer replaces a result only when `replace` says so. Undefined: a node is there. */
async function putResult(store: RunStore, record: ReuseRecord, replace: ReplacePolicy): Promise<string | undefined> {
  const stored = await store.putReuseIfAbsent(record);
  if (entryOf(stored)?.kind !== 'reuse-result') return undefined;
  if (stored.runId !== record.runId && (await replace(stored))) await store.replaceReuse(record, stored.runId);
  return record.key;
}
