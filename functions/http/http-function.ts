/**
 * Turns an API route into @azure/functions v4 HTTP function options: the handler adapts
 * HttpRequest → ApiRequest and ApiResponse → HttpResponseInit and runs the shared handler.
 * Streaming bodies (step logs) need `app.setup({ enableHttpStream: true })` (see ./routes.ts).
 */
import type { HttpFunctionOptions, HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { randomUUID } from 'node:crypto';
import { handleApiRequest } from '../../shared/api/handle';
import type { ApiRoute } from '../../shared/api/routes';
import type { ApiRequest, ApiResponse } from '../../shared/api/types';
import { servicesFor } from './composition';

export type ApiHttpFunction = HttpFunctionOptions & Required<Pick<HttpFunctionOptions, 'methods' | 'route'>> & { handler: HttpHandler };

export function toApiRequest(request: HttpRequest): ApiRequest {
  return {
    method: request.method,
    url: new URL(request.url),
    params: request.params,
    header: (name) => request.headers.get(name) ?? undefined,
    body: request.body,
  };
}

export function toHttpResponse(response: ApiResponse): HttpResponseInit {
  const headers = response.headers ?? {};
  if (response.stream) return { status: response.status, headers, body: response.stream };
  return response.json === undefined ? { status: response.status, headers } : { status: response.status, headers, jsonBody: response.json };
}

export function httpFunction(route: ApiRoute): ApiHttpFunction {
  return {
    methods: route.methods,
    route: route.route,
    authLevel: 'anonymous',
    extraInputs: [df.input.durableClient()],
    handler: async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
      let services;
      try {
        services = await servicesFor(context);
      } catch (err) {
        const correlationId = randomUUID();
        context.error(`tributary: no services for ${route.name} (correlation id ${correlationId}): ${err instanceof Error ? err.message : String(err)}`);
        return { status: 500, jsonBody: { error: { code: 'Internal', message: `internal error; quote correlation id ${correlationId}`, correlationId } } };
      }
      return toHttpResponse(await handleApiRequest(route, toApiRequest(request), services));
    },
  };
}
