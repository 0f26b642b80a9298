import type { ComputeTarget } from '../compute/compute-target';
import type { DataPlane } from '../datastore/data-plane';
import type { RunStore } from '../store/run-store';
import type { Workspace } from '../workspace/workspace';
import type { WorkDirPreparer } from './work-dir';

/** Finds the compute target a step runs on, after the run's compute mapping is applied. */
export interface ComputeResolver {
  /** Names this deployment can run on (for validation messages). */
  known(): string[];
  /** Throws ValidationError naming the compute and the known ones when it does not exist. */
  resolve(name: string): ComputeTarget;
}

/** Everything activities touch, injected so tests pass local adapters or fakes. */
export interface ActivityDeps {
  store: RunStore;
  computes: ComputeResolver;
  data: DataPlane;
  workspace: Workspace;
  workDirs: WorkDirPreparer;
  /** Folder holding the Python helper (`tributary_step.py`), put on PYTHONPATH for steps. */
  pythonHelperDir: string;
  now?: () => Date;
}
