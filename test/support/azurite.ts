/**
 * A real Azurite for tests: a temp workspace (its `azurite/` folder is the `--location`), a free
 * 127.0.0.1 port picked by Azurite, stopped and removed by `stop()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureAzurite, stopAzurite, type AzuriteEndpoint } from '../../shared/datastore/azurite/azurite';
import { resolveWorkspace, type Workspace } from '../../shared/workspace/workspace';

export interface TestAzurite {
  workspace: Workspace;
  endpoint: AzuriteEndpoint;
  stop(): Promise<void>;
}

export function tempWorkspace(prefix = 'tributary-ds-'): Workspace {
  return resolveWorkspace(mkdtempSync(path.join(os.tmpdir(), prefix)));
}

export async function startTestAzurite(): Promise<TestAzurite> {
  const workspace = tempWorkspace();
  const endpoint = await ensureAzurite(workspace, { port: 0 });
  return {
    workspace,
    endpoint,
    async stop() {
      await stopAzurite(workspace);
      rmSync(workspace.root, { recursive: true, force: true });
    },
  };
}
