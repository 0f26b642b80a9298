/**
 * HTTP test helpers: a local host on a free port of 127.0.0.1 over a temporary workspace, a
 * small client that returns status, headers and parsed body, and pipeline fixtures.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalHost, type LocalHost, type LocalHostOptions } from '../../host/local-host';
import type { ServerLog } from '../../shared/api/services';
import { stopAzurite } from '../../shared/datastore/azurite/azurite';
import { DEFINITION_SCHEMA_VERSION, type PipelineDefinition } from '../../shared/model/definition';
import { isTerminal, type RunStatus } from '../../shared/store/records';
import { resolveWorkspace, type Workspace } from '../../shared/workspace/workspace';

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
  // Parsed JSON body (any: tests read fields freely and assert on them).
  body: any;
}

/** Collects the server log, to check what it says (and that it never holds a secret). */
export class CapturedLog implements ServerLog {
  readonly lines: string[] = [];
  info(message: string, fields?: Record<string, unknown>): void {
    this.lines.push(JSON.stringify({ level: 'info', message, ...fields }));
  }
  error(message: string, fields?: Record<string, unknown>): void {
    this.lines.push(JSON.stringify({ level: 'error', message, ...fields }));
  }
}

export interface TestHost {
  host: LocalHost;
  url: string;
  key: string;
  workspace: Workspace;
  log: CapturedLog;
  /** A request to `/api/<path>` with the API key (unless `auth` overrides the header; `null` sends none). */
  api(method: string, path: string, options?: { json?: unknown; body?: string; headers?: Record<string, string>; auth?: string | null }): Promise<Reply>;
  close(): Promise<void>;
}

export async function startTestHost(options: Partial<LocalHostOptions> = {}): Promise<TestHost> {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-api-'));
  const workspace = resolveWorkspace(join(dir, '.tributary'));
  const log = new CapturedLog();
  const host = await startLocalHost({ workspace, port: 0, auth: { mode: 'apiKey' }, log, ...options });
  const key = host.local.apiKey?.key ?? '';
  return {
    host,
    url: host.url,
    key,
    workspace,
    log,
    async api(method, path, o = {}) {
      const auth = o.auth === undefined ? `Bearer ${key}` : o.auth;
      const headers: Record<string, string> = { ...(auth !== null ? { authorization: auth } : {}), ...o.headers };
      let body = o.body;
      if (o.json !== undefined) {
        body = JSON.stringify(o.json);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${host.url}/api/${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
      const text = await response.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: response.status, headers: response.headers, text, body: parsed };
    },
    async close() {
      await host.close();
      // The runs' workers may have started the workspace's embedded Azurite: stop it before removing its data.
      await stopAzurite(workspace);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A one-step pipeline: `echo` of a string, an integer, a number and a boolean input (all with defaults). */
export function echoPipeline(name = 'echo', command = 'echo msg=${{inputs.msg}} n=${{inputs.n}} x=${{inputs.x}} flag=${{inputs.flag}}'): PipelineDefinition {
  const input = (type: 'string' | 'integer' | 'number' | 'boolean', binding: string) => ({ type, optional: false, binding: { kind: 'pipelineInput' as const, name: binding } });
  return {
    schemaVersion: DEFINITION_SCHEMA_VERSION,
    name,
    continueOnStepFailure: false,
    inputs: {
      msg: { type: 'string', default: 'hello' },
      n: { type: 'integer', default: 1 },
      x: { type: 'number', default: 0.5 },
      flag: { type: 'boolean', default: false },
    },
    outputs: {},
    steps: {
      say: {
        name: 'say',
        kind: 'command',
        command,
        compute: 'local',
        inputs: { msg: input('string', 'msg'), n: input('integer', 'n'), x: input('number', 'x'), flag: input('boolean', 'flag') },
        outputs: {},
        environmentVariables: {},
        allowReuse: false,
        retry: { maxAttempts: 1, initialDelaySeconds: 0 },
        origin: 'test',
      },
    },
    source: 'test',
  };
}

/** Publishes `definition` and returns the published pipeline's JSON. */
export async function publish(t: TestHost, definition: PipelineDefinition = echoPipeline(), extra: Record<string, unknown> = {}): Promise<any> {
  const reply = await t.api('POST', 'pipelines', { json: { name: definition.name, definition, ...extra } });
  if (reply.status !== 201) throw new Error(`publish failed: ${reply.status} ${reply.text}`);
  return reply.body;
}

/** Polls GET /api/runs/{id} until `until` holds (default: the run ended); returns the run. */
export async function waitForRun(t: TestHost, id: string, until: (status: RunStatus) => boolean = isTerminal, timeoutMs = 30_000): Promise<any> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reply = await t.api('GET', `runs/${encodeURIComponent(id)}`);
    if (reply.status === 200 && until(reply.body.status)) return reply.body;
    if (Date.now() > deadline) throw new Error(`run ${id} did not reach the expected status in ${timeoutMs} ms: ${reply.text}`);
    await sleep(100);
  }
}
