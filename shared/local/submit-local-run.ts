/**
 * Submits a run to the local workspace and starts its worker: validates first (nothing is stored
 * for a bad pipeline), snapshots each step's source folder, records the git commit, then records
 * the run and starts driving it. The CLI and the SDK both submit through here.
 */
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { ProblemList } from '../errors';
import { readGitInfo } from '../git/git-info';
import type { PipelineDefinition } from '../model/definition';
import { checkSubmission, recordRun, type CheckedSubmission, type SubmitRequest } from '../runs/submit-run';
import type { RunRecord } from '../store/records';
import type { RunStore } from '../store/run-store';
import type { Workspace } from '../workspace/workspace';
import { checkDatastoresRegistered } from './registered-datastores';
import type { WaitingWorker } from './waiting-worker';
import { recordLocalDriver, startLocalRun } from './start-local-run';

export const LOCAL_COMPUTES = ['local'];

export async function submitLocalRun(
  workspace: Workspace,
  store: RunStore,
  req: Omit<SubmitRequest, 'knownComputes'>,
  warn: (message: string) => void,
  /** A worker started ahead (it loaded its modules meanwhile) to drive the run; else one is started now. */
  waiting?: WaitingWorker,
): Promise<RunRecord> {
  // git answers from its own processes while the submission is checked and its sources snapshotted.
  const git = req.git ?? readGitInfo(sourceFolder(req.definition));
  const checked = localDataParameters(checkSubmission({ ...req, knownComputes: LOCAL_COMPUTES }));
  checkDatastoresRegistered(workspace, checked);
  const snapshots = await snapshotSources(workspace, req.definition, warn);
  const run = await recordRun(store, checked, { git: await git, snapshots });
  if (!waiting || !(await giveRun(store, run.id, waiting))) await startLocalRun(workspace, store, run.id);
  return run;
}

/**
 * Data inputs given as local paths (`--set inputs.data=./folder`), made absolute against this
 * process's folder, which the worker driving the run may not share; one that does not exist, or
 * is a file where a folder is declared (or the reverse), is a bad submission.
 */
function localDataParameters(checked: CheckedSubmission): CheckedSubmission {
  const { definition, parametersSource } = checked.request;
  const problems = new ProblemList();
  const parameters = { ...checked.parameters };
  for (const [name, value] of Object.entries(parameters)) {
    const type = definition.inputs[name]?.type;
    if ((type !== 'uri_folder' && type !== 'uri_file') || typeof value !== 'string' || value.startsWith('azureml:')) continue;
    const absolute = path.resolve(value);
    const stat = statSync(absolute, { throwIfNoEntry: false });
    const want = type === 'uri_file' ? 'file' : 'folder';
    if (!stat) problems.add(`inputs.${name}: ${absolute} does not exist (a ${type} input takes a local ${want} or azureml://datastores/NAME/paths/PATH)`, parametersSource ?? 'parameters');
    else if (stat.isFile() !== (type === 'uri_file')) problems.add(`inputs.${name}: ${absolute} is not a ${want} (the input is declared ${type})`, parametersSource ?? 'parameters');
    else parameters[name] = absolute;
  }
  problems.throwIfAny();
  return { ...checked, parameters };
}

/** Snapshots of the steps' source folders; the snapshot modules load only for a pipeline that has some. */
async function snapshotSources(workspace: Workspace, definition: PipelineDefinition, warn: (message: string) => void): Promise<Record<string, string>> {
  if (!Object.values(definition.steps).some((step) => step.codeDir)) return {};
  const { snapshotPipelineSources } = require('../snapshot/snapshot-work-dir') as typeof import('../snapshot/snapshot-work-dir');
  const { localSnapshotStores } = require('../snapshot/local-snapshots') as typeof import('../snapshot/local-snapshots');
  const { store, cache } = localSnapshotStores(workspace);
  return snapshotPipelineSources(definition, { store, cache, warn: (w) => warn(w.message), excludeFolders: [workspace.root] });
}

/** Records the waiting worker as the run's driver (as `startLocalRun` does for a new one), then gives it the run; false when it is gone. */
async function giveRun(store: RunStore, runId: string, waiting: WaitingWorker): Promise<boolean> {
  const pid = waiting.pid;
  if (pid !== undefined) await recordLocalDriver(store, runId, pid);
  return waiting.give(runId);
}

/** The folder whose git state describes the pipeline: its first source folder, else its file's folder. */
function sourceFolder(def: PipelineDefinition): string {
  const codeDir = Object.values(def.steps).find((s) => s.codeDir)?.codeDir;
  if (codeDir) return codeDir;
  if (existsSync(def.source) && statSync(def.source).isFile()) return path.dirname(def.source);
  return process.cwd();
}
