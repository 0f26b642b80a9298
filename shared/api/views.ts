/** The JSON the API returns for published pipelines, endpoints and runs, with absolute links. */
import type { PipelineInputSpec } from '../model/definition';
import type { PipelineEndpointRecord, PublishedPipelineRecord } from '../publish/records';
import { runView } from '../runs/run-view';
import type { RunRecord, StepRunRecord } from '../store/records';

const enc = encodeURIComponent;

export const links = {
  pipeline: (origin: string, id: string) => `${origin}/api/pipelines/${enc(id)}`,
  pipelineRuns: (origin: string, id: string) => `${origin}/api/pipelines/${enc(id)}/runs`,
  endpoint: (origin: string, name: string) => `${origin}/api/endpoints/${enc(name)}`,
  endpointRuns: (origin: string, name: string) => `${origin}/api/endpoints/${enc(name)}/runs`,
  run: (origin: string, id: string) => `${origin}/api/runs/${enc(id)}`,
  metrics: (origin: string, id: string) => `${origin}/api/runs/${enc(id)}/metrics`,
  stepLogs: (origin: string, id: string, step: string) => `${origin}/api/runs/${enc(id)}/steps/${enc(step)}/logs`,
};

/** Pipeline parameters as published: type, frozen default, whether they may be left out. */
export function parameterViews(inputs: Record<string, PipelineInputSpec>): Record<string, PipelineInputSpec> {
  return Object.fromEntries(
    Object.entries(inputs).map(([name, spec]) => [
      name,
      {
        type: spec.type,
        ...(spec.default !== undefined ? { default: spec.default } : {}),
        ...(spec.optional ? { optional: true } : {}),
        ...(spec.description ? { description: spec.description } : {}),
      },
    ]),
  );
}

export function publishedPipelineView(p: PublishedPipelineRecord, origin: string, withDefinition = false) {
  return {
    id: p.id,
    name: p.name,
    version: p.version,
    ...(p.description !== undefined ? { description: p.description } : {}),
    status: p.status,
    endpoint: links.pipelineRuns(origin, p.id),
    parameters: parameterViews(p.definition.inputs),
    steps: Object.keys(p.definition.steps),
    ...(p.sourceRunId ? { sourceRunId: p.sourceRunId } : {}),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
    ...(withDefinition ? { definition: p.definition } : {}),
  };
}

export function endpointView(e: PipelineEndpointRecord, origin: string) {
  return {
    name: e.name,
    ...(e.description !== undefined ? { description: e.description } : {}),
    defaultVersion: e.defaultVersion,
    versions: e.versions.map((v) => ({ ...v, pipeline: links.pipeline(origin, v.pipelineId) })),
    endpoint: links.endpointRuns(origin, e.name),
    createdAt: e.createdAt,
    updatedAt: e.updatedAt,
  };
}

export function runSummaryView(r: RunRecord, origin: string) {
  return {
    id: r.id,
    experiment: r.experiment,
    pipelineName: r.pipelineName,
    ...(r.publishedPipelineId ? { publishedPipelineId: r.publishedPipelineId } : {}),
    status: r.status,
    ...(r.statusReason ? { statusReason: r.statusReason } : {}),
    createdAt: r.createdAt,
    ...(r.startedAt ? { startedAt: r.startedAt } : {}),
    ...(r.endedAt ? { endedAt: r.endedAt } : {}),
    url: links.run(origin, r.id),
  };
}

export function runDetailView(r: RunRecord, steps: StepRunRecord[], origin: string) {
  const view = runView(r, steps);
  return {
    ...view,
    steps: view.steps.map((s) => ({ ...s, logs: links.stepLogs(origin, r.id, s.name) })),
    metrics: links.metrics(origin, r.id),
  };
}
