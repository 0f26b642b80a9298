/**
 * Every route of the HTTP API: method, Azure Functions route template (under the `api` prefix),
 * handler, and whether it needs credentials (all but health do). `functions/http/` registers one
 * Azure Function per entry; the local host routes to the very same registrations.
 */
import { NotFoundError } from '../errors';
import { addVersion, createEndpoint, getEndpoint, listEndpoints, setDefaultVersion } from './handlers/endpoints';
import { health } from './handlers/health';
import { invokeEndpoint, invokePipeline } from './handlers/invoke';
import { getStepLogs } from './handlers/logs';
import { disablePipeline, enablePipeline, getPipeline, listPipelines, publishPipeline } from './handlers/pipelines';
import { cancelRun, getRun, getRunMetrics, listRuns } from './handlers/runs';
import { Router } from './router';
import type { ApiHandler } from './types';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
export const ALL_METHODS: HttpMethod[] = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH'];

export interface ApiRoute {
  name: string;
  methods: HttpMethod[];
  route: string;
  handler: ApiHandler;
  /** Answers without credentials (health only). */
  public?: boolean;
}

const route = (name: string, method: HttpMethod, path: string, handler: ApiHandler, isPublic = false): ApiRoute => ({
  name,
  methods: [method],
  route: path,
  handler,
  ...(isPublic ? { public: true } : {}),
});

const RESOURCE_ROUTES = {
  health: route('health', 'GET', 'health', health, true),
  publishPipeline: route('publishPipeline', 'POST', 'pipelines', publishPipeline),
  listPipelines: route('listPipelines', 'GET', 'pipelines', listPipelines),
  getPipeline: route('getPipeline', 'GET', 'pipelines/{id}', getPipeline),
  disablePipeline: route('disablePipeline', 'POST', 'pipelines/{id}/disable', disablePipeline),
  enablePipeline: route('enablePipeline', 'POST', 'pipelines/{id}/enable', enablePipeline),
  invokePipeline: route('invokePipeline', 'POST', 'pipelines/{id}/runs', invokePipeline),
  createEndpoint: route('createEndpoint', 'POST', 'endpoints', createEndpoint),
  listEndpoints: route('listEndpoints', 'GET', 'endpoints', listEndpoints),
  getEndpoint: route('getEndpoint', 'GET', 'endpoints/{name}', getEndpoint),
  addEndpointVersion: route('addEndpointVersion', 'POST', 'endpoints/{name}/versions', addVersion),
  setEndpointDefault: route('setEndpointDefault', 'PUT', 'endpoints/{name}/default', setDefaultVersion),
  invokeEndpoint: route('invokeEndpoint', 'POST', 'endpoints/{name}/runs', invokeEndpoint),
  listRuns: route('listRuns', 'GET', 'runs', listRuns),
  getRun: route('getRun', 'GET', 'runs/{id}', getRun),
  cancelRun: route('cancelRun', 'POST', 'runs/{id}/cancel', cancelRun),
  getRunMetrics: route('getRunMetrics', 'GET', 'runs/{id}/metrics', getRunMetrics),
  getStepLogs: route('getStepLogs', 'GET', 'runs/{id}/steps/{step}/logs', getStepLogs),
} satisfies Record<string, ApiRoute>;

const resources = new Router(Object.values(RESOURCE_ROUTES));

/** Everything else under /api (lowest precedence): 404 in our error shape, naming allowed methods. */
const notFound: ApiHandler = async ({ req }) => {
  const path = req.url.pathname.replace(/^\/api\/?/, '');
  const allowed = resources.allowedMethods(path);
  const where = `${req.method} ${req.url.pathname}`;
  throw new NotFoundError(allowed.length ? `${where}: this path only allows ${allowed.join(', ')}` : `${where}: no such route (see the API routes in the README)`, 'route');
};

export const API_ROUTES = {
  ...RESOURCE_ROUTES,
  notFound: { name: 'notFound', methods: ALL_METHODS, route: '{*path}', handler: notFound },
} satisfies Record<string, ApiRoute>;
