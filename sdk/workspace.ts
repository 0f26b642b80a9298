import { z } from 'zod';
import { openStore } from '../shared/local/open-store';
import type { RunStore } from '../shared/store/run-store';
import { resolveWorkspace, type Workspace as WorkspaceFolder } from '../shared/workspace/workspace';
import { Datastore } from './data';
import { parseOptions } from './validate';

export interface WorkspaceOptions {
  /** The workspace folder; default `TRIBUTARY_WORKSPACE`, then `.tributary` in the current directory. */
  folder?: string;
}

const optionsSchema = z.strictObject({ folder: z.string().min(1).optional() });

/**
 * One Tributary deployment. Locally, a folder holding run history (SQLite), step folders and
 * logs; the same folder the CLI's `--workspace` names.
 *
 * @example
 * const ws = Workspace.fromConfig();                 // ./.tributary
 * const scratch = new Workspace({ folder: '/tmp/ws' });
 */
export class Workspace {
  /** Resolved locations inside the workspace folder. */
  readonly location: WorkspaceFolder;

  constructor(options: WorkspaceOptions = {}) {
    const o = parseOptions(optionsSchema, options, 'Workspace');
    this.location = resolveWorkspace(o.folder);
  }

  /** The workspace of this directory (Azure ML `Workspace.from_config()`): `TRIBUTARY_WORKSPACE`, else `./.tributary`. */
  static fromConfig(options: WorkspaceOptions = {}): Workspace {
    return new Workspace(options);
  }

  /** Absolute path of the workspace folder. */
  get folder(): string {
    return this.location.root;
  }

  getDefaultDatastore(): Datastore {
    return Datastore.default(this);
  }
}

/** Runs `fn` with the workspace's run store open, and closes it after. */
export async function withStore<T>(workspace: Workspace, fn: (store: RunStore) => Promise<T>): Promise<T> {
  const store = openStore(workspace.location);
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}
