/**
 * A loopback fake of the Durable Functions extension's HTTP API — the `rpcBaseUrl` the host hands
 * a function with a Durable client input — for tests that drive the real `durable-functions`
 * DurableClient: start an orchestration, read an instance's status, raise an event. It runs
 * nothing (the replay harness in test/durable does that): it records what was asked, so a test
 * can check what the Function App would have started. A test double, on 127.0.0.1 only.
 */
import type { FunctionInput } from '@azure/functions';
import { InvocationContext } from '@azure/functions';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeInstance {
  name: string;
  input: unknown;
  runtimeStatus: string;
}

export interface FakeDurableExtension {
  /** Every start request, in order (also those refused because the instance was running). */
  readonly starts: { orchestration: string; instanceId: string; input: unknown }[];
  readonly instances: Map<string, FakeInstance>;
  /** An invocation context as the host builds it for a function declaring `input`, bound to this fake; `log` gets its log lines. */
  context(input: FunctionInput, log?: (line: string) => void): InvocationContext;
  close(): Promise<void>;
}

const LIVE = new Set(['Pending', 'Running', 'Suspended']);

export async function startFakeDurableExtension(): Promise<FakeDurableExtension> {
  const starts: FakeDurableExtension['starts'] = [];
  const instances = new Map<string, FakeInstance>();
  const server = createServer((req, res) => void handle(req, res).catch((err: unknown) => reply(res, 500, { message: String(err) })));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = await readBody(req);
    const [, area, ...rest] = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    if (req.method === 'POST' && area === 'orchestrators' && rest.length === 2) {
      const [orchestration, instanceId] = rest as [string, string];
      const input = body ? JSON.parse(body) : undefined;
      starts.push({ orchestration, instanceId, input });
      if (LIVE.has(instances.get(instanceId)?.runtimeStatus ?? '')) return reply(res, 409, { message: `An instance with ID '${instanceId}' already exists.` });
      instances.set(instanceId, { name: orchestration, input, runtimeStatus: 'Pending' });
      return reply(res, 202, { id: instanceId });
    }
    const instance = area === 'instances' ? instances.get(rest[0] ?? '') : undefined;
    if (req.method === 'GET' && area === 'instances' && rest.length === 1) {
      if (!instance) return reply(res, 404, undefined);
      const at = new Date().toISOString();
      return reply(res, 200, { name: instance.name, instanceId: rest[0], createdTime: at, lastUpdatedTime: at, input: instance.input ?? null, output: null, runtimeStatus: instance.runtimeStatus, customStatus: null });
    }
    if (req.method === 'POST' && area === 'instances' && rest[1] === 'raiseEvent') return reply(res, instance ? 202 : 404, undefined);
    reply(res, 404, { message: `fake Durable extension: no route ${req.method} ${url.pathname}` });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const rpcBaseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/durabletask/`;
  return {
    starts,
    instances,
    context(input, log = () => undefined) {
      const context = new InvocationContext({ options: { extraInputs: [input] }, logHandler: (_level, ...args) => log(args.join(' ')) });
      context.extraInputs.set(input, { taskHubName: 'Tributary', creationUrls: {}, managementUrls: {}, baseUrl: rpcBaseUrl, requiredQueryStringParameters: '', rpcBaseUrl });
      return context;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) }).end(text);
}
