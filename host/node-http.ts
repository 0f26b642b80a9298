/**
 * node:http ⇄ @azure/functions, the way the Functions worker does it with HTTP streams enabled:
 * the request becomes an HttpRequest over a streaming body (read by the handler, which may stop
 * early), the handler's result becomes an HttpResponse written back (JSON in one piece, other
 * bodies streamed until they end or the client goes away).
 */
import { HttpRequest, HttpResponse, InvocationContext, type HttpResponseInit } from '@azure/functions';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ReadableStream } from 'node:stream/web';
import type { ServerLog } from '../shared/api/services';

/** The request body as a web stream that pauses the socket on back-pressure and, when cancelled, stops reading without destroying the socket. */
function bodyStream(req: IncomingMessage): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      req.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 0) <= 0) req.pause();
      });
      req.once('end', () => controller.close());
      req.once('error', (err) => controller.error(err));
      req.pause();
    },
    pull() {
      req.resume();
    },
    cancel() {
      req.pause();
    },
  });
}

function headerPairs(req: IncomingMessage): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) pairs.push([req.rawHeaders[i]!, req.rawHeaders[i + 1]!]);
  return pairs;
}

/** An HttpRequest as the Functions worker builds it for streamed requests (createStreamRequest). */
export function toFunctionsRequest(req: IncomingMessage, url: URL, params: Record<string, string>): HttpRequest {
  const method = req.method ?? 'GET';
  const hasBody = method !== 'GET' && method !== 'HEAD';
  const nativeRequest = new Request(url, {
    method,
    headers: headerPairs(req),
    ...(hasBody ? { body: bodyStream(req), duplex: 'half' } : {}),
  });
  const init = { nativeRequest, params };
  return new HttpRequest(init);
}

export function invocationContext(functionName: string, log: ServerLog): InvocationContext {
  return new InvocationContext({
    invocationId: randomUUID(),
    functionName,
    logHandler: (level, ...args) => {
      const message = args.map(String).join(' ');
      if (level === 'error' || level === 'critical') log.error(message, { functionName });
      else if (level !== 'trace' && level !== 'debug') log.info(message, { functionName });
    },
  });
}

/** Writes a handler's result to the node response. */
export async function writeResult(req: IncomingMessage, res: ServerResponse, result: HttpResponseInit | HttpResponse | void): Promise<void> {
  const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? { status: 204 });
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => (headers[name] = value));
  // A body the handler did not read to the end (413, early errors): close rather than drain it.
  if (!req.complete && req.method !== 'GET' && req.method !== 'HEAD') headers['connection'] = 'close';
  const type = headers['content-type'] ?? '';
  if (!response.body || type.startsWith('application/json')) {
    const body = Buffer.from(await response.arrayBuffer());
    res.writeHead(response.status, { ...headers, 'content-length': String(body.byteLength) });
    res.end(body);
    return;
  }
  res.writeHead(response.status, headers);
  const reader = response.body.getReader();
  const stop = () => void reader.cancel().catch(() => undefined);
  res.once('close', stop);
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done || res.destroyed) break;
      if (!res.write(value)) await new Promise((resolve) => res.once('drain', resolve).once('close', resolve));
    }
  } finally {
    res.off('close', stop);
    res.end();
  }
}
