/**
 * An in-memory Cosmos DB (`@vercel/cosmosdb-server`) on 127.0.0.1 at a random port, for tests
 * driving the real `@azure/cosmos` client. It serves HTTPS with a self-signed certificate, so the
 * client gets an agent that skips verification: tests only, never product code.
 *
 * Faults can be injected: the next N matching requests get a chosen status (429 with a retry
 * delay, 503, ...) instead of reaching the server.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createHttpsServer } from '@vercel/cosmosdb-server';

export interface Fault {
  status: number;
  headers?: Record<string, string>;
  /** How many matching requests get this answer. */
  count: number;
  /** Which requests (default: all). */
  match?: (req: IncomingMessage) => boolean;
}

export interface CosmosTestServer {
  endpoint: string;
  /** Any key works; the server does not check signatures. */
  key: string;
  agent: https.Agent;
  inject(fault: Fault): void;
  /** Requests answered by injected faults so far. */
  readonly faultsServed: number;
  close(): Promise<void>;
}

export async function startCosmosServer(): Promise<CosmosTestServer> {
  const server = createHttpsServer();
  const [serve] = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  const faults: Fault[] = [];
  let served = 0;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const fault = faults.find((f) => f.count > 0 && (f.match?.(req) ?? true));
    if (!fault) return serve!(req, res);
    fault.count--;
    served++;
    req.resume();
    res.writeHead(fault.status, { 'content-type': 'application/json', ...fault.headers });
    res.end(JSON.stringify({ code: String(fault.status), message: `injected fault ${fault.status}` }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const agent = new https.Agent({ rejectUnauthorized: false, keepAlive: true });
  return {
    endpoint: `https://127.0.0.1:${port}/`,
    key: 'test-key',
    agent,
    inject: (fault) => faults.push({ ...fault }),
    get faultsServed() {
      return served;
    },
    close: async () => {
      agent.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
