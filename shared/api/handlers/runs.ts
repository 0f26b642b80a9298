/** Runs: list (filtered, paged), get with steps, metrics, cancel. */
import { NotFoundError } from '../../errors';
import { metricView, runMetrics } from '../../runs/run-metrics';
import type { RunRecord, RunStatus } from '../../store/records';
import { isTerminal } from '../../store/records';
import type { ApiServices } from '../services';
import { json, type ApiHandler } from '../types';
import { queryObject } from '../validate';
import { runDetailView, runSummaryView } from '../views';
import { audit, listBody, oneOf, origin, pageParams, param } from './common';

export const RUN_STATUSES: readonly RunStatus[] = ['NotStarted', 'Queued', 'Running', 'CancelRequested', 'Completed', 'Failed', 'Canceled'];

export async function getRunRecord(services: ApiServices, id: string): Promise<RunRecord> {
  const run = await services.runs.getRun(id);
  if (!run) throw new NotFoundError(`run "${id}" does not exist`, 'id');
  return run;
}

export const listRuns: ApiHandler = async ({ req, services }) => {
  const query = queryObject(req.url.searchParams, ['experiment', 'pipeline', 'pipelineId', 'status', 'limit', 'continuationToken']);
  const status = oneOf(RUN_STATUSES, query['status'], 'status');
  const page = await services.runs.listRuns({
    ...(query['experiment'] !== undefined ? { experiment: query['experiment'] } : {}),
    ...(query['pipeline'] !== undefined ? { pipelineName: query['pipeline'] } : {}),
    ...(query['pipelineId'] !== undefined ? { publishedPipelineId: query['pipelineId'] } : {}),
    ...(status !== undefined ? { status } : {}),
    ...pageParams(query),
  });
  return json(200, listBody(req, page, (r) => runSummaryView(r, origin(req))));
};

export const getRun: ApiHandler = async ({ req, services }) => {
  const run = await getRunRecord(services, param(req, 'id'));
  return json(200, runDetailView(run, await services.runs.listStepRuns(run.id), origin(req)));
};

export const getRunMetrics: ApiHandler = async ({ req, services }) => {
  const query = queryObject(req.url.searchParams, ['step']);
  const run = await getRunRecord(services, param(req, 'id'));
  const step = query['step'];
  if (step !== undefined && !Object.hasOwn(run.definition.steps, step)) {
    throw new NotFoundError(`run "${run.id}" has no step "${step}" (steps: ${Object.keys(run.definition.steps).join(', ')})`, 'step');
  }
  const metrics = await runMetrics(services.runs, run.id, step);
  return json(200, {
    runId: run.id,
    value: metrics.map((m) => metricView(m, run.id)),
  });
};

/** 202 when a cancel was requested; 200 with the final status when the run had already ended. */
export const cancelRun: ApiHandler = async (call) => {
  const { req, services } = call;
  const run = await getRunRecord(services, param(req, 'id'));
  if (isTerminal(run.status)) return json(200, { id: run.id, status: run.status });
  await services.launcher.cancel(run.id, 'canceled through the API');
  audit(call, 'run cancel requested', { id: run.id });
  const after = await getRunRecord(services, run.id);
  return json(isTerminal(after.status) ? 200 : 202, { id: after.id, status: after.status });
};
