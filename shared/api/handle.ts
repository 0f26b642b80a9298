import { randomUUID } from 'node:crypto';
import { errorResponse } from './http-errors';
import type { ApiRoute } from './routes';
import type { ApiServices, ServerLog } from './services';
import type { ApiRequest, ApiResponse } from './types';

/** Runs one route: authentication (all routes but public ones), the handler, errors as responses. */
export async function handleApiRequest(route: ApiRoute, req: ApiRequest, services: ApiServices): Promise<ApiResponse> {
  try {
    const principal = route.public ? undefined : await services.auth.authenticate(req.header('authorization'));
    const response = await route.handler({ req, services, ...(principal ? { principal } : {}) });
    return response.stream ? { ...response, stream: guarded(response.stream, services.log, route.name) } : response;
  } catch (err) {
    return errorResponse(err, services.log, route.name);
  }
}

/** A failure after the headers went out cannot change the status: log it, say so in the body, end. */
async function* guarded(stream: AsyncIterable<Uint8Array>, log: ServerLog, route: string): AsyncGenerator<Uint8Array> {
  try {
    yield* stream;
  } catch (err) {
    const correlationId = randomUUID();
    log.error('stream failed', { route, correlationId, error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    yield Buffer.from(`\n[stream ended by an internal error; correlation id ${correlationId}]\n`);
  }
}
