import type { ContentStore } from '../snapshot/content-store';
import { SnapshotIndex } from './snapshot-index';

/** The snapshot with this id, or undefined when it cannot be read (its key is then not narrowed). */
export type SnapshotSource = (id: string) => Promise<SnapshotIndex | undefined>;

/**
 * Reads manifests from a content store, keeping the most recent few indexed: the steps of a run
 * usually share one or two snapshots, and a 1,000-step run must not parse a manifest per step.
 */
export function snapshotSource(store: Pick<ContentStore, 'getManifest'>, keep = 32): SnapshotSource {
  const cache = new Map<string, Promise<SnapshotIndex | undefined>>();
  return (id) => {
    let found = cache.get(id);
    if (found) {
      cache.delete(id);
    } else {
      found = store.getManifest(id).then(
        (manifest) => (manifest ? new SnapshotIndex(id, manifest) : undefined),
        () => undefined,
      );
      if (cache.size >= keep) cache.delete(cache.keys().next().value!);
    }
    cache.set(id, found);
    return found;
  };
}
