/**
 * The public view of a run and its steps: what `tributary show --json` prints and the HTTP API
 * returns. Steps come in definition order; a step with no record yet is NotStarted.
 */
import type { GitInfo, OutputRecord, RunRecord, RunStatus, StepRunRecord } from '../store/records';
import type { ScalarValue } from '../model/definition';

export interface StepView {
  name: string;
  status: RunStatus;
  statusReason?: string;
  attempt: number;
  compute: string;
  durationMs?: number;
  exitCode?: number;
  reused: boolean;
  reusedFrom?: string;
  startedAt?: string;
  endedAt?: string;
  command?: string;
  outputs: Record<string, OutputRecord>;
}

export interface RunView {
  id: string;
  experiment: string;
  pipelineName: string;
  publishedPipelineId?: string;
  status: RunStatus;
  statusReason?: string;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  parameters: Record<string, ScalarValue>;
  git?: GitInfo;
  steps: StepView[];
  /** Pipeline-level outputs (YAML `outputs:` bound by `${{parent.outputs.x}}`), once their step recorded them. */
  outputs: Record<string, OutputRecord & { step: string; output: string }>;
}

export function runView(run: RunRecord, stepRuns: StepRunRecord[]): RunView {
  const byName = new Map(stepRuns.map((s) => [s.step, s]));
  const steps = Object.values(run.definition.steps).map((def): StepView => {
    const rec = byName.get(def.name);
    if (!rec) return { name: def.name, status: 'NotStarted', attempt: 0, compute: run.options.computeMap[def.compute] ?? def.compute, reused: false, outputs: {} };
    return {
      name: def.name,
      status: rec.status,
      ...(rec.statusReason ? { statusReason: rec.statusReason } : {}),
      attempt: rec.attempt,
      compute: rec.compute,
      ...(rec.durationMs !== undefined ? { durationMs: rec.durationMs } : liveDuration(rec)),
      ...(rec.exitCode !== undefined ? { exitCode: rec.exitCode } : {}),
      reused: rec.reused,
      ...(rec.reusedFrom ? { reusedFrom: rec.reusedFrom.runId } : {}),
      ...(rec.startedAt ? { startedAt: rec.startedAt } : {}),
      ...(rec.endedAt ? { endedAt: rec.endedAt } : {}),
      ...(rec.command ? { command: rec.command } : {}),
      outputs: rec.outputs,
    };
  });
  const outputs: RunView['outputs'] = {};
  for (const [name, bound] of Object.entries(run.definition.outputs)) {
    const record = byName.get(bound.step)?.outputs[bound.output];
    if (record) outputs[name] = { ...record, step: bound.step, output: bound.output };
  }
  const end = run.endedAt ? Date.parse(run.endedAt) : Date.now();
  return {
    id: run.id,
    experiment: run.experiment,
    pipelineName: run.pipelineName,
    ...(run.publishedPipelineId ? { publishedPipelineId: run.publishedPipelineId } : {}),
    status: run.status,
    ...(run.statusReason ? { statusReason: run.statusReason } : {}),
    createdAt: run.createdAt,
    ...(run.startedAt ? { startedAt: run.startedAt, durationMs: end - Date.parse(run.startedAt) } : {}),
    ...(run.endedAt ? { endedAt: run.endedAt } : {}),
    parameters: run.parameters,
    ...(run.git ? { git: run.git } : {}),
    steps,
    outputs,
  };
}

function liveDuration(rec: StepRunRecord): { durationMs?: number } {
  return rec.startedAt && rec.status === 'Running' ? { durationMs: Date.now() - Date.parse(rec.startedAt) } : {};
}
