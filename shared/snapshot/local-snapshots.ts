import path from 'node:path';
import type { Workspace } from '../workspace/workspace';
import { LocalContentStore } from './content-store';
import { StatCache } from './stat-cache';

/**
 * The workspace's snapshot folders: `snapshots/` holds the local content store, and
 * `snapshots/stat-cache/` the per-source-folder stat caches (always local: they describe this
 * machine's files, even when the content store is Blob Storage).
 */
export function localSnapshotStores(workspace: Workspace): { store: LocalContentStore; cache: StatCache } {
  const root = path.join(workspace.root, 'snapshots');
  return { store: new LocalContentStore(root), cache: new StatCache(path.join(root, 'stat-cache')) };
}
