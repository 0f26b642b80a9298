/**
 * Invocation load (issue 5): the local host serving a published one-step pipeline, hammered with
 * autocannon on 127.0.0.1 — accepted invocations per second and p50/p99 latency, without and with
 * an Idempotency-Key per request — then a check that no run was lost: every `Id` answered with a
 * 202 exists in the run store. The host runs in its own process (`tributary serve`), as it would
 * in use, with its queued run dispatcher driving the runs meanwhile.
 *
 *   npm run bench -- invoke-load
 *   BENCH_DURATION=10 BENCH_CONNECTIONS=32 npm run bench -- invoke-load
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { readKeyFile } from '../shared/api/auth/api-key';
import { ApiClient } from '../shared/api/client';
import { stopAzurite } from '../shared/datastore/azurite/azurite';
import { openStore } from '../shared/local/open-store';
import { DEFINITION_SCHEMA_VERSION, type PipelineDefinition } from '../shared/model/definition';
import type { RunStatus } from '../shared/store/records';
import { resolveWorkspace } from '../shared/workspace/workspace';

/** The part of autocannon's programmatic API used here (the package ships no types). */
interface LoadOptions {
  url: string;
  method: 'POST';
  headers: Record<string, string>;
  body: string;
  connections: number;
  duration: number;
  requests: { setupRequest?: (req: { headers: Record<string, string> }) => unknown; onResponse: (status: number, body: string) => void }[];
}
interface LoadResult {
  requests: { total: number };
  latency: { p50: number; p99: number };
  duration: number;
  errors: number;
  non2xx: number;
}
const autocannon: (options: LoadOptions) => Promise<LoadResult> = createRequire(__filename)('autocannon');

const CLI = path.join(__dirname, '..', 'cli', 'main.js');
const DURATION = Number(process.env['BENCH_DURATION'] ?? 10);
const CONNECTIONS = Number(process.env['BENCH_CONNECTIONS'] ?? 32);

function oneStep(): PipelineDefinition {
  return {
    schemaVersion: DEFINITION_SCHEMA_VERSION,
    name: 'bench-echo',
    continueOnStepFailure: false,
    inputs: { n: { type: 'integer', default: 1 } },
    outputs: {},
    steps: {
      echo: {
        name: 'echo',
        kind: 'command',
        command: 'echo ${{inputs.n}}',
        compute: 'local',
        inputs: { n: { type: 'integer', optional: false, binding: { kind: 'pipelineInput', name: 'n' } } },
        outputs: {},
        environmentVariables: {},
        allowReuse: false,
        retry: { maxAttempts: 1, initialDelaySeconds: 0 },
        origin: 'bench',
      },
    },
    source: 'bench',
  };
}

/** `tributary serve --port 0 --json` in its own process; resolves with its URL once it listens. Its log goes to `host.log`. */
async function startHost(workspaceDir: string, logFile: string): Promise<{ child: ChildProcess; url: string }> {
  const env = { ...process.env };
  delete env['TRIBUTARY_API_KEY'];
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, 'serve', '--port', '0', '--json', '--workspace', workspaceDir], {
    env,
    stdio: ['ignore', 'pipe', openSync(logFile, 'a')],
  });
  const firstLine = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`tributary serve exited with ${code}`)));
  });
  const parsed: unknown = JSON.parse(firstLine);
  if (typeof parsed !== 'object' || parsed === null || !('url' in parsed) || typeof parsed.url !== 'string') throw new Error(`unexpected serve output: ${firstLine}`);
  return { child, url: parsed.url };
}

interface Row {
  scenario: string;
  requests: number;
  accepted: number;
  other: number;
  perSecond: number;
  p50: number;
  p99: number;
}

async function load(scenario: string, url: string, key: string, ids: string[], withKey: boolean): Promise<Row> {
  let accepted = 0;
  let counter = 0;
  const prefix = `${process.pid}-${scenario.replace(/\W+/g, '-')}`;
  const result = await autocannon({
    url,
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ ExperimentName: 'bench', ParameterAssignments: { n: 7 } }),
    connections: CONNECTIONS,
    duration: DURATION,
    requests: [
      {
        ...(withKey ? { setupRequest: (req: { headers: Record<string, string> }) => ({ ...req, headers: { ...req.headers, 'idempotency-key': `${prefix}-${counter++}` } }) } : {}),
        onResponse: (status, body) => {
          if (status !== 202) return;
          accepted++;
          ids.push((JSON.parse(body) as { Id: string }).Id);
        },
      },
    ],
  });
  return {
    scenario,
    requests: result.requests.total,
    accepted,
    other: result.requests.total - accepted + result.errors,
    perSecond: accepted / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
  };
}

function printTable(rows: Row[]): void {
  const head = ['scenario', 'requests', '202 accepted', 'other/errors', 'accepted/s', 'p50 ms', 'p99 ms'];
  const lines = rows.map((r) => [r.scenario, String(r.requests), String(r.accepted), String(r.other), r.perSecond.toFixed(0), r.p50.toFixed(1), r.p99.toFixed(1)]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log([fmt(head), `|${widths.map((w, i) => (i === 0 ? ':' : '') + '-'.repeat(w + (i === 0 ? 1 : 1)) + (i === 0 ? '' : ':')).join('|')}|`, ...lines.map(fmt)].join('\n'));
}

export async function main(): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tributary-invoke-load-'));
  const workspace = resolveWorkspace(path.join(dir, '.tributary'));
  const logFile = path.join(dir, 'host.log');
  const { child, url } = await startHost(workspace.root, logFile).catch((err: unknown) => {
    process.stderr.write(readFileSync(logFile, 'utf8'));
    throw err;
  });
  try {
    const key = readKeyFile(workspace.apiKeyFile);
    if (!key) throw new Error('the host wrote no API key');
    const published = await new ApiClient({ url, token: key }).publish({ name: 'bench-echo', definition: oneStep() });
    const ids: string[] = [];
    console.log(`invoke load: ${published.endpoint}, ${CONNECTIONS} connections, ${DURATION} s per scenario, ${os.availableParallelism()} CPUs, Node ${process.version}`);
    await load('warm-up', published.endpoint, key, ids, false);
    const rows = [await load('no Idempotency-Key', published.endpoint, key, ids, false), await load('unique Idempotency-Key', published.endpoint, key, ids, true)];
    printTable(rows);

    const store = openStore(workspace);
    try {
      let lost = 0;
      const byStatus = new Map<RunStatus, number>();
      for (const id of ids) {
        const run = await store.getRun(id);
        if (!run) lost++;
        else byStatus.set(run.status, (byStatus.get(run.status) ?? 0) + 1);
      }
      const statuses = [...byStatus].map(([s, n]) => `${s} ${n}`).join(', ');
      console.log(`runs answered 202: ${ids.length}; missing from the run store: ${lost}; by status now: ${statuses} (the rest wait in the dispatcher's queue)`);
      if (lost > 0) process.exitCode = 1;
      const errors = readFileSync(logFile, 'utf8').split('\n').filter((line) => line.includes('"level":"error"'));
      if (errors.length) console.log(`host log errors: ${errors.length}, first: ${errors[0]}`);
    } finally {
      await store.close();
    }
  } finally {
    child.kill('SIGTERM');
    await new Promise((resolve) => child.once('exit', resolve));
    await stopAzurite(workspace);
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
