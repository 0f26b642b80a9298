/**
 * A client of Tributary's HTTP API (the CLI and the SDK use it): bearer auth, JSON in and out,
 * error bodies turned back into the product's errors (ValidationError, NotFoundError, ...), and
 * the response shapes callers rely on checked with zod.
 */
import { z } from 'zod';
import { ConflictError, NotFoundError, TributaryError, ValidationError, type ErrorCode } from '../errors';

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string(), target: z.string().optional() }) });

const pipelineView = z.looseObject({
  id: z.string(),
  name: z.string(),
  version: z.string(),
  description: z.string().optional(),
  status: z.enum(['Active', 'Disabled']),
  endpoint: z.string(),
  parameters: z.record(z.string(), z.looseObject({ type: z.string(), default: z.union([z.string(), z.number(), z.boolean()]).optional() })),
  steps: z.array(z.string()),
  createdAt: z.string(),
});
const endpointView = z.looseObject({
  name: z.string(),
  description: z.string().optional(),
  defaultVersion: z.string(),
  versions: z.array(z.looseObject({ version: z.string(), pipelineId: z.string() })),
  endpoint: z.string(),
});
const invokeView = z.looseObject({ Id: z.string(), Status: z.string(), StatusUrl: z.string(), Warnings: z.array(z.string()).optional() });
const healthView = z.looseObject({ status: z.string(), snapshots: z.enum(['server', 'client']).optional() });
const page = <T extends z.ZodType>(item: T) => z.looseObject({ value: z.array(item), continuationToken: z.string().optional() });

export type PublishedPipelineData = z.output<typeof pipelineView>;
export type PipelineEndpointData = z.output<typeof endpointView>;
export type InvokeResult = z.output<typeof invokeView> & { replayed: boolean };

export interface PublishRequest {
  name: string;
  version?: string;
  description?: string;
  definition?: unknown;
  runId?: string;
  endpoint?: string;
  makeDefault?: boolean;
  /** Step → snapshot id uploaded to the server's datastore (with `definition`, when the server's snapshot mode is `client`). */
  snapshots?: Record<string, string>;
}

export interface InvokeRequest {
  ExperimentName?: string;
  ParameterAssignments?: Record<string, string | number | boolean>;
  PipelineVersion?: string;
}

const KNOWN_CODES: readonly ErrorCode[] = ['ValidationError', 'NotFound', 'Conflict', 'Unauthorized', 'Forbidden', 'PayloadTooLarge', 'UnsupportedMediaType', 'Transient', 'StepFailed', 'Internal'];

/**
 * `url` as messages may show it: a user name, password and query values (a function key in
 * `?code=`) replaced by `***`, since they can be credentials.
 */
export function displayUrl(url: string): string {
  const parsed = URL.canParse(url) ? new URL(url) : undefined;
  if (!parsed || !/^https?:$/.test(parsed.protocol)) {
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)?[^/?#]*@/i, '$1***@').replace(/([?&][^=&#]*=)[^&#]*/g, '$1***');
  }
  if (!parsed.username && !parsed.password && !parsed.search) return url;
  if (parsed.username || parsed.password) {
    parsed.username = '***';
    parsed.password = '';
  }
  for (const name of new Set(parsed.searchParams.keys())) parsed.searchParams.set(name, '***');
  return parsed.toString();
}

export class ApiClient {
  /** The base URL as messages show it (see displayUrl). */
  readonly url: string;
  private readonly baseUrl: string;
  /** A private field of JavaScript's own: printing or serialising a client never shows the credential. */
  readonly #token?: string;

  /** `url`: the service's base URL (a trailing `/api` is fine); `token`: the local API key or an Entra ID access token. */
  constructor(options: { url: string; token?: string }) {
    this.baseUrl = options.url.replace(/\/+$/, '').replace(/\/api$/, '');
    this.url = displayUrl(this.baseUrl);
    const parsed = URL.canParse(this.baseUrl) ? new URL(this.baseUrl) : undefined;
    if (parsed?.username || parsed?.password) {
      throw new ValidationError(
        `${this.url}: Tributary does not take credentials in the URL; remove "user:password@" and give the API key in TRIBUTARY_API_KEY (an Entra ID token in TRIBUTARY_TOKEN)`,
        'url',
      );
    }
    if (options.token !== undefined) this.#token = options.token;
  }

  /** One request; the JSON body of a 2xx answer, or the error it carried as a TributaryError. */
  async call(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: Headers; json: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}/api/${path}`, {
        method,
        headers: {
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (err) {
      throw new TributaryError('Transient', 503, `cannot reach Tributary at ${this.url} (${describeCause(err)}); is it running? Start one with: tributary serve`, { retryable: true });
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    if (response.ok) return { status: response.status, headers: response.headers, json };
    throw toError(response.status, json, `${method} ${this.url}/api/${path}`);
  }

  /** Liveness and who snapshots step sources at publish (a server that does not say snapshots itself). */
  async health(): Promise<{ status: string; snapshots: 'server' | 'client' }> {
    const view = healthView.parse((await this.call('GET', 'health')).json);
    return { status: view.status, snapshots: view.snapshots ?? 'server' };
  }

  async publish(request: PublishRequest): Promise<PublishedPipelineData & { pipelineEndpoint?: PipelineEndpointData }> {
    const { json } = await this.call('POST', 'pipelines', request);
    return z.looseObject({ ...pipelineView.shape, pipelineEndpoint: endpointView.optional() }).parse(json);
  }

  async listPipelines(query: { name?: string; status?: string; continuationToken?: string } = {}) {
    return page(pipelineView).parse((await this.call('GET', `pipelines${queryString(query)}`)).json);
  }

  async getPipeline(id: string): Promise<PublishedPipelineData> {
    return pipelineView.parse((await this.call('GET', `pipelines/${encodeURIComponent(id)}`)).json);
  }

  async setPipelineEnabled(id: string, enabled: boolean): Promise<PublishedPipelineData> {
    return pipelineView.parse((await this.call('POST', `pipelines/${encodeURIComponent(id)}/${enabled ? 'enable' : 'disable'}`)).json);
  }

  async createEndpoint(request: { name: string; pipelineId: string; description?: string; version?: string }): Promise<PipelineEndpointData> {
    return endpointView.parse((await this.call('POST', 'endpoints', request)).json);
  }

  async listEndpoints(query: { continuationToken?: string } = {}) {
    return page(endpointView).parse((await this.call('GET', `endpoints${queryString(query)}`)).json);
  }

  async getEndpoint(name: string): Promise<PipelineEndpointData> {
    return endpointView.parse((await this.call('GET', `endpoints/${encodeURIComponent(name)}`)).json);
  }

  async addEndpointVersion(name: string, request: { pipelineId: string; version?: string; makeDefault?: boolean }): Promise<PipelineEndpointData> {
    return endpointView.parse((await this.call('POST', `endpoints/${encodeURIComponent(name)}/versions`, request)).json);
  }

  async setEndpointDefault(name: string, version: string): Promise<PipelineEndpointData> {
    return endpointView.parse((await this.call('PUT', `endpoints/${encodeURIComponent(name)}/default`, { version })).json);
  }

  /** Starts a run of a published pipeline (`pipeline`) or of an endpoint's version (`endpoint`). */
  async invoke(target: { pipeline: string } | { endpoint: string }, request: InvokeRequest, idempotencyKey?: string): Promise<InvokeResult> {
    const path = 'pipeline' in target ? `pipelines/${encodeURIComponent(target.pipeline)}/runs` : `endpoints/${encodeURIComponent(target.endpoint)}/runs`;
    const response = await this.call('POST', path, request, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
    return { ...invokeView.parse(response.json), replayed: response.headers.get('idempotent-replayed') === 'true' };
  }
}

function queryString(query: Record<string, string | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) if (value !== undefined) params.set(name, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

function describeCause(err: unknown): string {
  const cause = err instanceof Error && err.cause instanceof Error ? err.cause : err;
  return cause instanceof Error ? cause.message : String(cause);
}

function toError(status: number, json: unknown, what: string): TributaryError {
  const parsed = errorBody.safeParse(json);
  if (!parsed.success) return new TributaryError(status >= 500 ? 'Internal' : 'ValidationError', status, `${what} answered HTTP ${status}`);
  const { code, message, target } = parsed.data.error;
  if (status === 400) return new ValidationError(message, target);
  if (status === 404) return new NotFoundError(message, target);
  if (status === 409) return new ConflictError(message, target);
  const known = KNOWN_CODES.find((c) => c === code) ?? (status >= 500 ? 'Internal' : 'ValidationError');
  return new TributaryError(known, status, message, { ...(target ? { target } : {}), retryable: status === 503 });
}
