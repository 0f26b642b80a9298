import { SqliteRunStore } from '../store/sqlite/sqlite-run-store';
import type { RunStore } from '../store/run-store';
import { ensureWorkspace, type Workspace } from '../workspace/workspace';

/** The workspace's run history (SQLite), creating the workspace folder on first use. */
export function openStore(workspace: Workspace): RunStore {
  ensureWorkspace(workspace);
  return SqliteRunStore.open(workspace.historyDb);
}
