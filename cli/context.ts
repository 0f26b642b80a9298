import { openStore } from '../shared/local/open-store';
import type { RunStore } from '../shared/store/run-store';
import { resolveWorkspace, type Workspace } from '../shared/workspace/workspace';

/** What every command gets: the workspace, its run store, and where to write. */
export interface CliContext {
  workspace: Workspace;
  store: RunStore;
  out: NodeJS.WriteStream;
  err: NodeJS.WriteStream;
  tty: boolean;
}

export async function withContext<T>(workspaceFlag: string | undefined, fn: (ctx: CliContext) => Promise<T>): Promise<T> {
  const workspace = resolveWorkspace(workspaceFlag);
  const store = openStore(workspace);
  try {
    return await fn({ workspace, store, out: process.stdout, err: process.stderr, tty: Boolean(process.stdout.isTTY) });
  } finally {
    await store.close();
  }
}

export function printJson(ctx: CliContext, value: unknown): void {
  ctx.out.write(`${JSON.stringify(value, null, 2)}\n`);
}
