/**
 * The workspace's embedded Blob Storage: one Azurite per workspace, persistent under
 * `workspace.azuriteDir`, started on first use and reused by every later process (CLI, workers).
 *
 * Port: `options.port`, else `TRIBUTARY_AZURITE_PORT`, else the port this workspace used before,
 * else a free one Azurite picks (then remembered). A remembered port found taken is replaced by a
 * free one; an explicitly chosen port found taken is an error naming it.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, ValidationError } from '../../errors';
import type { Workspace } from '../../workspace/workspace';
import { spawnAzurite } from './azurite-process';
import { isProcessAlive } from '../../util/process-alive';
import { abandonedStart, clearStarting, readAzuriteState, recordStarting, runsOnFolder, withAzuriteLock, writeAzuriteState } from './azurite-state';

/** The well-known Azurite development account (the `UseDevelopmentStorage=true` one). */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const PORT_ENV = 'TRIBUTARY_AZURITE_PORT';
const DEFAULT_START_TIMEOUT_MS = 20_000;
const STOP_TIMEOUT_MS = 10_000;

export interface AzuriteEndpoint {
  pid: number;
  port: number;
  /** `http://127.0.0.1:<port>/devstoreaccount1` */
  blobEndpoint: string;
  accountName: string;
  accountKey: string;
  connectionString: string;
}

export interface AzuriteOptions {
  /** Port to start on; 0 lets Azurite pick a free one. Applies only when Azurite is not already running. */
  port?: number;
  /** Bound on startup (spawn until listening). */
  startTimeoutMs?: number;
}

const running = new Map<string, AzuriteEndpoint>();

/** The workspace's Azurite, started if no live one is recorded. Never starts a second one. */
export async function ensureAzurite(workspace: Workspace, options: AzuriteOptions = {}): Promise<AzuriteEndpoint> {
  const dir = workspace.azuriteDir;
  const known = running.get(dir);
  if (known && isProcessAlive(known.pid)) return known;
  const recorded = readAzuriteState(dir);
  if (recorded?.pid && runsOnFolder(recorded.pid, dir)) {
    // Started by another process (recorded once it listened): no lock, no probe request needed.
    const endpoint = endpointFor(recorded.pid, recorded.port);
    running.set(dir, endpoint);
    return endpoint;
  }
  await assertWritable(dir);
  const timeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const endpoint = await withAzuriteLock(dir, timeoutMs + 5_000, async () => {
    const state = readAzuriteState(dir);
    if (state?.pid && isProcessAlive(state.pid) && (await isAzurite(state.port))) return endpointFor(state.pid, state.port);
    const orphan = abandonedStart(dir);
    if (orphan !== undefined) await terminate(orphan);
    const chosen = choosePort(options, state?.port);
    const onSpawned = (pid: number) => recordStarting(dir, pid);
    const started = await spawnAzurite({ location: dir, port: chosen.port, timeoutMs, portSource: chosen.source, onSpawned }).catch((err: unknown) => {
      if (!(err instanceof ConflictError) || chosen.explicit || chosen.port === 0) throw err;
      return spawnAzurite({ location: dir, port: 0, timeoutMs, portSource: 'a free port', onSpawned });
    });
    await writeAzuriteState(dir, { port: started.port, pid: started.pid, startedAt: new Date().toISOString() });
    await clearStarting(dir);
    return endpointFor(started.pid, started.port);
  });
  running.set(dir, endpoint);
  return endpoint;
}

/** Stops the workspace's Azurite if one is running (keeps the remembered port). True when one was stopped. */
export async function stopAzurite(workspace: Workspace): Promise<boolean> {
  const dir = workspace.azuriteDir;
  running.delete(dir);
  const state = readAzuriteState(dir);
  if (!state?.pid) return false;
  return withAzuriteLock(dir, STOP_TIMEOUT_MS, async () => {
    const pid = state.pid!;
    const wasAlive = isProcessAlive(pid) && (await isAzurite(state.port));
    if (wasAlive) await terminate(pid);
    await writeAzuriteState(dir, { port: state.port });
    return wasAlive;
  });
}

/** What the workspace knows about its Azurite without starting one. */
export function azuriteStatus(workspace: Workspace): { running: boolean; port?: number; pid?: number } {
  const state = readAzuriteState(workspace.azuriteDir);
  const alive = state?.pid !== undefined && isProcessAlive(state.pid);
  return { running: alive, ...(state ? { port: state.port } : {}), ...(alive ? { pid: state!.pid } : {}) };
}

function endpointFor(pid: number, port: number): AzuriteEndpoint {
  const blobEndpoint = `http://127.0.0.1:${port}/${DEV_ACCOUNT_NAME}`;
  return {
    pid,
    port,
    blobEndpoint,
    accountName: DEV_ACCOUNT_NAME,
    accountKey: DEV_ACCOUNT_KEY,
    connectionString: `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT_NAME};AccountKey=${DEV_ACCOUNT_KEY};BlobEndpoint=${blobEndpoint};`,
  };
}

function choosePort(options: AzuriteOptions, remembered: number | undefined): { port: number; explicit: boolean; source: string } {
  if (options.port !== undefined) return { port: checkPort(options.port, 'the port option'), explicit: true, source: 'the port option' };
  const fromEnv = process.env[PORT_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    if (!/^\d+$/.test(fromEnv)) throw new ValidationError(`${PORT_ENV}=${fromEnv}: expected a port number (1-65535), or 0 for any free port`, PORT_ENV);
    return { port: checkPort(Number(fromEnv), PORT_ENV), explicit: true, source: PORT_ENV };
  }
  if (remembered !== undefined) return { port: remembered, explicit: false, source: 'the port this workspace used before' };
  return { port: 0, explicit: false, source: 'a free port' };
}

function checkPort(port: number, source: string): number {
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ValidationError(`${source}: ${port} is not a port number (1-65535, or 0 for any free port)`, source);
  return port;
}

async function assertWritable(dir: string): Promise<void> {
  const probe = path.join(dir, `.write-probe-${process.pid}`);
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await writeFile(probe, '');
    await rm(probe, { force: true });
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new ValidationError(
      `Azurite's data folder ${dir} is not writable (${reason}). Fix its permissions, or use another workspace with --workspace DIR or TRIBUTARY_WORKSPACE.`,
      dir,
    );
  }
}

/** True when something answering on the port says it is Azurite's blob service. */
async function isAzurite(port: number): Promise<boolean> {
  try {
    const res = await fetch(`http://127.0.0.1:${port}/${DEV_ACCOUNT_NAME}?comp=list`, { signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return (res.headers.get('server') ?? '').startsWith('Azurite-Blob');
  } catch {
    return false;
  }
}

async function terminate(pid: number): Promise<void> {
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) {
      process.kill(pid, 'SIGKILL');
      await sleep(100);
      return;
    }
    await sleep(25);
  }
}
