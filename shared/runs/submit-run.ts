/**
 * Submitting a run: validate the definition against what this deployment can run, resolve the
 * parameters, record the run as NotStarted. Starting a driver for it is the caller's job (local
 * worker process or Durable orchestration), so the same submission serves the CLI, SDK and HTTP.
 */
import { ProblemList } from '../errors';
import { validateDefinition } from '../model/graph';
import type { PipelineDefinition, ScalarValue } from '../model/definition';
import { resolveParameters } from '../model/parameters';
import type { GitInfo, RunOptions, RunRecord } from '../store/records';
import type { RunStore } from '../store/run-store';
import { assertSafeName } from '../util/safe-names';
import { checkCommandsRender } from './command-check';
import { newRunId } from './run-ids';

export interface SubmitRequest {
  definition: PipelineDefinition;
  experiment?: string;
  /** Parameter overrides as given (strings from the CLI, JSON values from HTTP). */
  parameters?: Record<string, ScalarValue>;
  /** Where the overrides came from, for error messages (`--set`, `ParameterAssignments`). */
  parametersSource?: string;
  options?: Partial<RunOptions>;
  git?: GitInfo;
  publishedPipelineId?: string;
  /** Compute names this deployment can run on. */
  knownComputes: string[];
  /** Pre-chosen run id (idempotent submissions); generated when absent. */
  runId?: string;
}

/** A submission that passed validation: what will be recorded. */
export interface CheckedSubmission {
  request: SubmitRequest;
  experiment: string;
  parameters: Record<string, ScalarValue>;
  options: RunOptions;
}

/** How each submitter maps a compute onto local processes; a published pipeline's invoker cannot. */
const COMPUTE_MAP_HINTS: Partial<Record<string, (compute: string) => string>> = {
  cli: (compute) => `--compute ${compute}=local`,
  sdk: (compute) => `experiment.submit(pipeline, { computeMap: { ${JSON.stringify(compute)}: "local" } })`,
};

/** Validates a submission without recording anything (every problem named, nothing stored). */
export function checkSubmission(req: SubmitRequest): CheckedSubmission {
  const options: RunOptions = {
    ...req.options,
    regenerateOutputs: req.options?.regenerateOutputs ?? false,
    computeMap: req.options?.computeMap ?? {},
    source: req.options?.source ?? 'cli',
  };
  const mapped = mapComputes(req.definition, options.computeMap);
  validateDefinition(mapped, { knownComputes: req.knownComputes, computeMapHint: COMPUTE_MAP_HINTS[options.source] });
  assertLocalStepsAreCommands(mapped);
  const parameters = resolveParameters(req.definition, req.parameters ?? {}, req.parametersSource ?? 'parameters');
  checkCommandsRender(mapped, parameters);
  const experiment = req.experiment ?? req.definition.experimentName ?? req.definition.name;
  assertSafeName(experiment, 'experiment name');
  return { request: req, experiment, parameters, options };
}

/** Records a checked submission as a NotStarted run; `extra` adds what was gathered since. */
export async function recordRun(
  store: RunStore,
  checked: CheckedSubmission,
  extra: { git?: GitInfo; snapshots?: Record<string, string> } = {},
): Promise<RunRecord> {
  const { request: req, experiment, parameters } = checked;
  const git = extra.git ?? req.git;
  return store.createRun({
    id: req.runId ?? newRunId(experiment),
    experiment,
    pipelineName: req.definition.name,
    ...(req.publishedPipelineId ? { publishedPipelineId: req.publishedPipelineId } : {}),
    status: 'NotStarted',
    definition: req.definition,
    parameters,
    options: { ...checked.options, ...(extra.snapshots ? { snapshots: extra.snapshots } : {}) },
    ...(git ? { git } : {}),
    createdAt: new Date().toISOString(),
  });
}

export async function submitRun(store: RunStore, req: SubmitRequest): Promise<RunRecord> {
  return recordRun(store, checkSubmission(req));
}

/** Local compute runs processes: Databricks and data-transfer steps need their own compute. */
function assertLocalStepsAreCommands(def: PipelineDefinition): void {
  const problems = new ProblemList();
  for (const step of Object.values(def.steps)) {
    if (step.compute === 'local' && step.kind !== 'command') {
      problems.add(`step "${step.name}" is a ${step.kind} step; local compute runs only command steps (give it a ${step.kind === 'databricks' ? 'Databricks' : 'data transfer'} compute)`, step.origin);
    }
  }
  problems.throwIfAny();
}

/** The definition as it will run, with `--compute NAME=TARGET` mappings applied to each step. */
export function mapComputes(def: PipelineDefinition, computeMap: Record<string, string>): PipelineDefinition {
  if (Object.keys(computeMap).length === 0) return def;
  const steps = Object.fromEntries(
    Object.entries(def.steps).map(([name, step]) => [name, { ...step, compute: computeMap[step.compute] ?? step.compute }]),
  );
  return { ...def, steps };
}
