/**
 * Starts one azurite-blob process, detached so it outlives the CLI and is shared by the worker
 * processes, and waits (bounded) until it listens. Failures become one clear message: the port
 * in use, or Azurite's own last words.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, TransientError } from '../../errors';

const AZURITE_MAIN = require.resolve('azurite/dist/src/blob/main.js');
// Preloads, beside this module (also when it is bundled into the worker: see tools/bundle-worker.ts).
const WITHOUT_TELEMETRY = path.join(__dirname, 'without-telemetry.js');
const EXIT_WITH_WORKSPACE = path.join(__dirname, 'exit-with-workspace.js');
const LISTENING = /successfully listens on https?:\/\/[^\s]*:(\d+)/;
const POLL_MS = 25;
const TAIL_CHARS = 2_000;

export interface StartedAzurite {
  pid: number;
  port: number;
}

export interface SpawnOptions {
  /** Folder Azurite persists to (`--location`); its logs go there too. */
  location: string;
  /** 0: Azurite picks a free port. */
  port: number;
  timeoutMs: number;
  /** Where the port came from, for the "choose another port" hint. */
  portSource: string;
  /** Told the pid as soon as the process exists, before it listens. */
  onSpawned?: (pid: number) => Promise<void>;
}

function azuriteLogFiles(location: string): { stdout: string; stderr: string } {
  return { stdout: path.join(location, 'azurite-stdout.log'), stderr: path.join(location, 'azurite-stderr.log') };
}

export async function spawnAzurite(options: SpawnOptions): Promise<StartedAzurite> {
  const logs = azuriteLogFiles(options.location);
  const out = openSync(logs.stdout, 'w', 0o600);
  const err = openSync(logs.stderr, 'w', 0o600);
  const args = [
    ...['--require', WITHOUT_TELEMETRY, '--require', EXIT_WITH_WORKSPACE, AZURITE_MAIN],
    ...['--blobHost', '127.0.0.1', '--blobPort', String(options.port), '--location', options.location],
    ...['--disableTelemetry', '--skipApiVersionCheck', '--silent'],
  ];
  // The well-known development account must exist: a user's AZURITE_ACCOUNTS would replace it.
  // Node's compile cache (where the CLI and the worker keep theirs, unless the user chose another)
  // spares each start compiling Azurite's ~1,500 modules again: ~290 → ~240 ms to listening.
  const { AZURITE_ACCOUNTS: _ignored, ...inherited } = process.env;
  const env = { NODE_COMPILE_CACHE: path.join(os.tmpdir(), 'node-compile-cache'), ...inherited };
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const child = spawn(process.execPath, args, { cwd: options.location, detached: true, stdio: ['ignore', out, err], env });
  closeSync(out);
  closeSync(err);
  child.once('exit', (code, signal) => (exit = { code, signal }));
  child.once('error', (e) => (spawnError = e));
  child.unref();
  if (child.pid !== undefined) await options.onSpawned?.(child.pid);

  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const port = await listeningPort(logs.stdout);
    if (port !== undefined && child.pid !== undefined) return { pid: child.pid, port };
    if (spawnError) throw new TransientError(`could not start Azurite (${process.execPath} ${AZURITE_MAIN}): ${spawnError.message}`);
    if (exit) throw startFailure(options, exit, await tail(logs.stderr), await tail(logs.stdout));
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new TransientError(
        `Azurite did not start listening within ${options.timeoutMs} ms (location ${options.location}).${describeTail(await tail(logs.stderr))}`,
      );
    }
    await sleep(POLL_MS);
  }
}

async function listeningPort(stdoutLog: string): Promise<number | undefined> {
  const match = LISTENING.exec(await readFile(stdoutLog, 'utf8').catch(() => ''));
  return match ? Number(match[1]) : undefined;
}

function startFailure(
  options: SpawnOptions,
  exit: { code: number | null; signal: NodeJS.Signals | null },
  stderr: string,
  stdout: string,
): Error {
  if (/EADDRINUSE/.test(stderr)) {
    return new ConflictError(
      `Azurite could not listen on 127.0.0.1:${options.port}: the port is in use by another program (port from ${options.portSource}). ` +
        `Choose another port with TRIBUTARY_AZURITE_PORT=<port>, or unset it to let Tributary pick a free one.`,
      'TRIBUTARY_AZURITE_PORT',
    );
  }
  if (/listen EACCES/.test(stderr)) {
    return new ConflictError(
      `Azurite is not allowed to listen on 127.0.0.1:${options.port} (port from ${options.portSource}). Choose a port above 1024 with TRIBUTARY_AZURITE_PORT=<port>.`,
      'TRIBUTARY_AZURITE_PORT',
    );
  }
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return new TransientError(`Azurite ${how} while starting (location ${options.location}).${describeTail(stderr || stdout)}`);
}

async function tail(file: string): Promise<string> {
  const text = (await readFile(file, 'utf8').catch(() => '')).trim();
  return text.length > TAIL_CHARS ? `…${text.slice(-TAIL_CHARS)}` : text;
}

function describeTail(text: string): string {
  return text ? ` Its output ends with:\n${text}` : ' It printed nothing.';
}
