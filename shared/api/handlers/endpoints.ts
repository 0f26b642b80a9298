/** Pipeline endpoints: create, list, get, add a version, set the default version. */
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../errors';
import { addEndpointVersion, setEndpointDefault } from '../../publish/endpoints';
import { assertVersion } from '../../publish/naming';
import type { PipelineEndpointRecord } from '../../publish/records';
import { SAFE_NAME } from '../../util/safe-names';
import { readJsonBody } from '../body';
import type { ApiServices } from '../services';
import { json, type ApiHandler } from '../types';
import { parseWith, queryObject } from '../validate';
import { endpointView, links } from '../views';
import { audit, listBody, origin, pageParams, param } from './common';
import { getPublishedPipeline } from './pipelines';

const createBody = z.strictObject({
  name: z.string().regex(SAFE_NAME, 'use letters, digits, "_" and "-", starting with a letter or "_"'),
  description: z.string().max(4096).optional(),
  pipelineId: z.string().min(1),
  version: z.string().optional(),
});
const addVersionBody = z.strictObject({ pipelineId: z.string().min(1), version: z.string().optional(), makeDefault: z.boolean().optional() });
const setDefaultBody = z.strictObject({ version: z.string() });

export async function getEndpointRecord(services: ApiServices, name: string): Promise<PipelineEndpointRecord> {
  const endpoint = await services.publish.getEndpoint(name);
  if (!endpoint) throw new NotFoundError(`pipeline endpoint "${name}" does not exist (list them with GET /api/endpoints)`, 'name');
  return endpoint;
}

export const createEndpoint: ApiHandler = async (call) => {
  const { req, services } = call;
  const body = parseWith(createBody, await readJsonBody(req, services.limits.maxBodyBytes), '');
  if (body.version !== undefined) assertVersion(body.version);
  const pipeline = await getPublishedPipeline(services, body.pipelineId);
  if (await services.publish.getEndpoint(body.name)) {
    throw new ConflictError(`pipeline endpoint "${body.name}" already exists; add a version with POST /api/endpoints/${body.name}/versions`, 'name');
  }
  const endpoint = await addEndpointVersion(services.publish, body.name, pipeline, {
    ...(body.version !== undefined ? { version: body.version } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    at: services.now().toISOString(),
  });
  audit(call, 'endpoint created', { name: endpoint.name, pipelineId: pipeline.id });
  return json(201, endpointView(endpoint, origin(req)), { location: links.endpoint(origin(req), endpoint.name) });
};

export const listEndpoints: ApiHandler = async ({ req, services }) => {
  const query = queryObject(req.url.searchParams, ['limit', 'continuationToken']);
  const page = await services.publish.listEndpoints(pageParams(query));
  return json(200, listBody(req, page, (e) => endpointView(e, origin(req))));
};

export const getEndpoint: ApiHandler = async ({ req, services }) => json(200, endpointView(await getEndpointRecord(services, param(req, 'name')), origin(req)));

export const addVersion: ApiHandler = async (call) => {
  const { req, services } = call;
  const name = param(req, 'name');
  const body = parseWith(addVersionBody, await readJsonBody(req, services.limits.maxBodyBytes), '');
  if (body.version !== undefined) assertVersion(body.version);
  await getEndpointRecord(services, name);
  const pipeline = await getPublishedPipeline(services, body.pipelineId);
  const endpoint = await addEndpointVersion(services.publish, name, pipeline, {
    ...(body.version !== undefined ? { version: body.version } : {}),
    makeDefault: body.makeDefault ?? false,
    at: services.now().toISOString(),
  });
  audit(call, 'endpoint version added', { name, pipelineId: pipeline.id, defaultVersion: endpoint.defaultVersion });
  return json(200, endpointView(endpoint, origin(req)));
};

export const setDefaultVersion: ApiHandler = async (call) => {
  const { req, services } = call;
  const name = param(req, 'name');
  const body = parseWith(setDefaultBody, await readJsonBody(req, services.limits.maxBodyBytes), '');
  assertVersion(body.version);
  await getEndpointRecord(services, name);
  const endpoint = await setEndpointDefault(services.publish, name, body.version, services.now().toISOString());
  audit(call, 'endpoint default set', { name, version: body.version });
  return json(200, endpointView(endpoint, origin(req)));
};
