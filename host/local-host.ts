/**
 * The local host: serves the API's Azure Functions HTTP registrations on node:http, as `func start`
 * would (default 127.0.0.1:7071, routes under /api), with the embedded defaults (SQLite, local
 * workers, the workspace API key). Requests are routed with the registrations' own route templates
 * and methods, and each gets a real HttpRequest and InvocationContext.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bindServices } from '../functions/http/composition';
import type { ApiHttpFunction } from '../functions/http/http-function';
import { Router } from '../shared/api/router';
import { ensureWorkspace, type Workspace } from '../shared/workspace/workspace';
import { acquireHostLock } from './host-lock';
import { loadHttpFunctions } from './http-functions';
import { composeLocalServices, type LocalApiServices, type LocalServicesOptions } from './local-services';
import { invocationContext, toFunctionsRequest, writeResult } from './node-http';

export const DEFAULT_PORT = 7071;
export const DEFAULT_HOST = '127.0.0.1';
const PURGE_EVERY_MS = 60 * 60 * 1000;

export interface LocalHostOptions extends LocalServicesOptions {
  workspace: Workspace;
  /** Default 7071; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface LocalHost {
  /** `http://127.0.0.1:7071` */
  url: string;
  port: number;
  local: LocalApiServices;
  close(): Promise<void>;
}

type Registration = { name: string; methods: string[]; route: string; options: ApiHttpFunction };

export async function startLocalHost(options: LocalHostOptions): Promise<LocalHost> {
  const workspace = ensureWorkspace(options.workspace);
  const local = composeLocalServices(workspace, options);
  const { services } = local;
  const router = new Router<Registration>(loadHttpFunctions().map((f) => ({ ...f, methods: f.options.methods, route: f.options.route })));
  const host = options.host ?? DEFAULT_HOST;

  const serve = async (req: IncomingMessage, res: ServerResponse, origin: string) => {
    const url = requestUrl(req, origin);
    const match = url.pathname.startsWith('/api/') ? router.match(req.method ?? 'GET', url.pathname.slice('/api/'.length)) : undefined;
    if (!match) {
      const body = JSON.stringify({ error: { code: 'NotFound', message: `${req.method} ${url.pathname}: no such route (the API answers GET, POST, PUT, DELETE and PATCH under /api/)`, target: 'route' } });
      res.writeHead(404, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), connection: 'close' }).end(body);
      return;
    }
    const context = invocationContext(match.item.name, services.log);
    bindServices(context, services);
    const result = await match.item.options.handler(toFunctionsRequest(req, url, match.params), context);
    await writeResult(req, res, result);
  };

  const server: Server = createServer((req, res) => {
    serve(req, res, origin).catch((err: unknown) => {
      services.log.error('local host failed to answer', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json', connection: 'close' }).end('{"error":{"code":"Internal","message":"internal error"}}');
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 5000;
  let origin = '';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? DEFAULT_PORT, host, () => resolve());
    });
  } catch (err) {
    await local.close();
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  let releaseLock: () => void;
  try {
    releaseLock = acquireHostLock(workspace, origin);
  } catch (err) {
    await new Promise((resolve) => server.close(resolve));
    await local.close();
    throw err;
  }
  const recovered = await local.dispatcher.recover();
  if (recovered > 0) services.log.info('re-queued runs left by an earlier host', { runs: recovered });
  const purge = () => void services.publish.purgeExpiredIdempotency(new Date().toISOString()).catch(() => undefined);
  purge();
  const purgeTimer = setInterval(purge, PURGE_EVERY_MS).unref();

  return {
    url: origin,
    port,
    local,
    async close() {
      clearInterval(purgeTimer);
      await new Promise((resolve) => {
        server.close(resolve);
        server.closeAllConnections();
      });
      await local.close();
      releaseLock();
    },
  };
}

/** The URL the client addressed: its Host header when it is a plain host[:port], else our own address. */
function requestUrl(req: IncomingMessage, origin: string): URL {
  const hostHeader = req.headers.host;
  const base = hostHeader && /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/.test(hostHeader) ? `http://${hostHeader}` : origin;
  const target = req.url ?? '/';
  try {
    // Concatenated, not resolved: a target like `//other-host/x` stays a path on this host.
    return new URL(target.startsWith('/') ? `${base}${target}` : `${base}/`);
  } catch {
    return new URL('/', origin);
  }
}
