/**
 * Invocations: POST to a published pipeline's endpoint URL (`/api/pipelines/{id}/runs`) or to a
 * pipeline endpoint (`/api/endpoints/{name}/runs`, the default version unless PipelineVersion says
 * otherwise). Answers 202 with the run id as `Id` (what Azure ML clients read) and its status URL.
 */
import { ValidationError } from '../../errors';
import { endpointVersion } from '../../publish/endpoints';
import { assertVersion } from '../../publish/naming';
import type { PublishedPipelineRecord } from '../../publish/records';
import { readJsonBody } from '../body';
import { parseInvocation, type Invocation } from '../invoke/invoke-body';
import { startPublishedRun, type StartedRun } from '../invoke/start-published-run';
import { json, type ApiHandler, type ApiRequest, type ApiResponse } from '../types';
import { links } from '../views';
import { idempotencyKey, origin, param } from './common';
import { getEndpointRecord } from './endpoints';
import { getPublishedPipeline } from './pipelines';

/** `version`: what the caller can send back as PipelineVersion (an endpoint's version label, else the pipeline's version). */
function accepted(req: ApiRequest, started: StartedRun, pipeline: PublishedPipelineRecord, version: string, invocation: Invocation): ApiResponse {
  const statusUrl = links.run(origin(req), started.runId);
  return json(
    202,
    {
      Id: started.runId,
      Status: started.status,
      ExperimentName: started.experiment,
      PublishedPipelineId: pipeline.id,
      PipelineVersion: version,
      StatusUrl: statusUrl,
      ...(invocation.warnings.length ? { Warnings: invocation.warnings } : {}),
    },
    { location: statusUrl, ...(started.replayed ? { 'idempotent-replayed': 'true' } : {}) },
  );
}

export const invokePipeline: ApiHandler = async ({ req, services }) => {
  const key = idempotencyKey(req);
  const pipeline = await getPublishedPipeline(services, param(req, 'id'));
  const invocation = parseInvocation(await readJsonBody(req, services.limits.maxBodyBytes));
  if (invocation.pipelineVersion !== undefined && invocation.pipelineVersion !== pipeline.version) {
    throw new ValidationError(
      `this URL runs version ${pipeline.version} of "${pipeline.name}"; PipelineVersion ${JSON.stringify(invocation.pipelineVersion)} only chooses a version on /api/endpoints/{name}/runs`,
      'PipelineVersion',
    );
  }
  const started = await startPublishedRun(services, { scope: `pipeline:${pipeline.id}`, pipeline }, invocation, key);
  return accepted(req, started, pipeline, pipeline.version, invocation);
};

export const invokeEndpoint: ApiHandler = async ({ req, services }) => {
  const key = idempotencyKey(req);
  const endpoint = await getEndpointRecord(services, param(req, 'name'));
  const invocation = parseInvocation(await readJsonBody(req, services.limits.maxBodyBytes));
  if (invocation.pipelineVersion !== undefined) assertVersion(invocation.pipelineVersion, 'PipelineVersion');
  const version = endpointVersion(endpoint, invocation.pipelineVersion, 'PipelineVersion');
  const pipeline = await getPublishedPipeline(services, version.pipelineId);
  const started = await startPublishedRun(services, { scope: `endpoint:${endpoint.name}`, pipeline }, invocation, key);
  return accepted(req, started, pipeline, version.version, invocation);
};
