/** Published pipelines: publish, list, get, disable, enable. */
import { z } from 'zod';
import { describeError, NotFoundError, ValidationError } from '../../errors';
import type { PipelineDefinition } from '../../model/definition';
import { validateDefinition } from '../../model/graph';
import { addEndpointVersion, assertVersionFree } from '../../publish/endpoints';
import { assertVersion, newPublishedPipelineId } from '../../publish/naming';
import { PUBLISHED_PIPELINE_STATUSES, type PipelineEndpointRecord, type PublishedPipelineRecord, type PublishedPipelineStatus } from '../../publish/records';
import { mapComputes } from '../../runs/submit-run';
import { SAFE_NAME } from '../../util/safe-names';
import { readJsonBody } from '../body';
import { definitionSchema } from '../schemas/definition-schema';
import type { ApiServices } from '../services';
import { json, type ApiHandler } from '../types';
import { parseWith, queryObject } from '../validate';
import { endpointView, links, publishedPipelineView } from '../views';
import { audit, listBody, oneOf, origin, pageParams, param } from './common';
import { checkPublishedDataPaths } from './published-data-paths';
import { checkSentSnapshots, sentSnapshotsSchema, sentSnapshotStepProblems, stepsWithoutSentSnapshots } from './sent-snapshots';

const NAME_RULE = 'use letters, digits, "_" and "-", starting with a letter or "_"';
const name = z.string().regex(SAFE_NAME, NAME_RULE);

const publishBody = z.strictObject({
  name,
  version: z.string().optional(),
  description: z.string().max(4096).optional(),
  definition: definitionSchema.optional(),
  runId: z.string().optional(),
  endpoint: name.optional(),
  makeDefault: z.boolean().optional(),
  /** Step → snapshot id the publisher uploaded (see `sent-snapshots.ts`); only with `definition`. */
  snapshots: sentSnapshotsSchema.optional(),
}).superRefine((body, ctx) => {
  if (body.snapshots === undefined) return;
  if (body.definition === undefined) {
    ctx.addIssue({ code: 'custom', message: 'snapshots go with "definition" (a run is published with the snapshots it ran)', path: ['snapshots'] });
    return;
  }
  for (const problem of sentSnapshotStepProblems(body.definition, body.snapshots)) ctx.addIssue({ code: 'custom', ...problem });
});

export async function getPublishedPipeline(services: ApiServices, id: string): Promise<PublishedPipelineRecord> {
  const pipeline = await services.publish.getPipeline(id);
  if (!pipeline) throw new NotFoundError(`published pipeline "${id}" does not exist (list them with GET /api/pipelines)`, 'id');
  return pipeline;
}

/** What every published definition must be, sent or a run's: valid here, with data paths and an experiment invocations can use. */
function checkPublishable(services: ApiServices, definition: PipelineDefinition): void {
  validateDefinition(definition, { knownComputes: services.knownComputes });
  checkPublishedDataPaths(definition, services.snapshots.mode);
  // An invocation without ExperimentName runs in the definition's experiment.
  const experiment = definition.experimentName;
  if (experiment !== undefined && !SAFE_NAME.test(experiment)) {
    throw new ValidationError(`experiment name ${JSON.stringify(experiment.slice(0, 80))} is not allowed: ${NAME_RULE}`, 'definition.experimentName');
  }
}

/**
 * What is published: a sent definition with the snapshots the publisher sent (checked to be in
 * this Tributary's store) and the other source folders snapshotted now, or what a run ran
 * (computes mapped as it mapped them, its snapshots).
 */
async function publishedSource(
  services: ApiServices,
  body: z.output<typeof publishBody>,
  warn: (message: string) => void,
): Promise<{ definition: PipelineDefinition; snapshots: Record<string, string> }> {
  if ((body.definition === undefined) === (body.runId === undefined)) {
    throw new ValidationError('send exactly one of "definition" (a compiled pipeline) or "runId" (publish what a run ran)', 'definition');
  }
  if (body.definition) {
    checkPublishable(services, body.definition);
    const sent = body.snapshots ?? {};
    await checkSentSnapshots(sent, services.snapshots.store);
    const taken = await services.snapshots.snapshotSources(stepsWithoutSentSnapshots(body.definition, sent), warn);
    return { definition: body.definition, snapshots: { ...sent, ...taken } };
  }
  const run = await services.runs.getRun(body.runId!);
  if (!run) throw new NotFoundError(`run "${body.runId}" does not exist`, 'runId');
  const definition = mapComputes(run.definition, run.options.computeMap);
  checkPublishable(services, definition);
  return { definition, snapshots: run.options.snapshots ?? {} };
}

/**
 * Adds a pipeline published just now to endpoint `name`. When that fails (the endpoint has its
 * version, e.g. an automatic one, or was changed meanwhile) the publish is undone and the error
 * stands: a publish with an endpoint is all or nothing, whichever store serves it.
 */
async function addToEndpoint(services: ApiServices, name: string, pipeline: PublishedPipelineRecord, makeDefault: boolean, at: string): Promise<PipelineEndpointRecord> {
  try {
    return await addEndpointVersion(services.publish, name, pipeline, { makeDefault, at });
  } catch (err) {
    await undoPublish(services, name, pipeline.id).catch((undoError: unknown) =>
      services.log.error('a publish whose endpoint step failed could not be undone', { id: pipeline.id, endpoint: name, error: describeError(undoError) }),
    );
    throw err;
  }
}

async function undoPublish(services: ApiServices, endpointName: string, pipelineId: string): Promise<void> {
  const endpoint = await services.publish.getEndpoint(endpointName);
  if (endpoint?.versions.some((v) => v.pipelineId === pipelineId)) return; // it was added after all: keep both
  await services.publish.deletePipeline(pipelineId);
}

export const publishPipeline: ApiHandler = async (call) => {
  const { req, services } = call;
  const body = parseWith(publishBody, await readJsonBody(req, services.limits.maxPublishBodyBytes), '');
  if (body.version !== undefined) assertVersion(body.version);
  if (body.endpoint !== undefined && body.version !== undefined) {
    // Refused before anything is published (addToEndpoint undoes the publish when it is only found then).
    const existing = await services.publish.getEndpoint(body.endpoint);
    if (existing) assertVersionFree(existing, body.version);
  }
  const warnings: string[] = [];
  const { definition, snapshots } = await publishedSource(services, body, (message) => warnings.push(message));
  const at = services.now().toISOString();
  const pipeline = await services.publish.createPipeline({
    id: newPublishedPipelineId(body.name),
    name: body.name,
    ...(body.version !== undefined ? { version: body.version } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    status: 'Active',
    definition,
    ...(Object.keys(snapshots).length ? { snapshots } : {}),
    ...(body.runId !== undefined ? { sourceRunId: body.runId } : {}),
    createdAt: at,
  });
  const endpoint = body.endpoint ? await addToEndpoint(services, body.endpoint, pipeline, body.makeDefault ?? false, at) : undefined;
  audit(call, 'pipeline published', { id: pipeline.id, name: pipeline.name, version: pipeline.version, ...(endpoint ? { endpoint: endpoint.name } : {}) });
  const base = origin(req);
  return json(
    201,
    {
      ...publishedPipelineView(pipeline, base),
      ...(endpoint ? { pipelineEndpoint: endpointView(endpoint, base) } : {}),
      ...(warnings.length ? { warnings } : {}),
    },
    { location: links.pipeline(base, pipeline.id) },
  );
};

export const listPipelines: ApiHandler = async ({ req, services }) => {
  const query = queryObject(req.url.searchParams, ['name', 'status', 'limit', 'continuationToken']);
  const status = oneOf(PUBLISHED_PIPELINE_STATUSES, query['status'], 'status');
  const page = await services.publish.listPipelines({
    ...(query['name'] !== undefined ? { name: query['name'] } : {}),
    ...(status !== undefined ? { status } : {}),
    ...pageParams(query),
  });
  return json(200, listBody(req, page, (p) => publishedPipelineView(p, origin(req))));
};

export const getPipeline: ApiHandler = async ({ req, services }) => {
  queryObject(req.url.searchParams, []);
  return json(200, publishedPipelineView(await getPublishedPipeline(services, param(req, 'id')), origin(req), true));
};

function statusChange(status: PublishedPipelineStatus): ApiHandler {
  return async (call) => {
    const { req, services } = call;
    const id = param(req, 'id');
    const updated = await services.publish.setPipelineStatus(id, status, services.now().toISOString());
    if (!updated) throw new NotFoundError(`published pipeline "${id}" does not exist`, 'id');
    audit(call, status === 'Disabled' ? 'pipeline disabled' : 'pipeline enabled', { id });
    return json(200, publishedPipelineView(updated, origin(req)));
  };
}

export const disablePipeline = statusChange('Disabled');
export const enablePipeline = statusChange('Active');
