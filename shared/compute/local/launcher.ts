import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import type { Socket } from 'node:net';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import { ValidationError } from '../../errors';
import { GroupGates } from './group-gates';
import { parseReply, type Reply } from './launcher-replies';

/** `python/tributary_launcher.py` at the repository root (this file runs from `dist/shared/compute/local/`). */
export const LAUNCHER_SCRIPT = path.resolve(__dirname, '..', '..', '..', '..', 'python', 'tributary_launcher.py');

/**
 * Who starts step processes. `python3`: a long-lived `tributary_launcher.py` does, because Node's
 * own spawn costs time in proportion to the Node process's memory (~5 ms per step in a 100 MB
 * worker, ~0.3 ms from Python). `node`: Node's spawn, for machines without Python 3 (also chosen
 * by itself when `python3` cannot be started).
 */
export type LauncherKind = 'python3' | 'node';

export const LAUNCHER_VARIABLE = 'TRIBUTARY_LAUNCHER';

export function launcherKindFromEnv(env: NodeJS.ProcessEnv = process.env): LauncherKind {
  const value = env[LAUNCHER_VARIABLE];
  if (value === undefined || value === '' || value === 'python3') return 'python3';
  if (value === 'node') return 'node';
  throw new ValidationError(`${LAUNCHER_VARIABLE} must be "python3" or "node", got "${value}"`, LAUNCHER_VARIABLE);
}

export interface SpawnRequest {
  argv: string[];
  cwd: string;
  /** The full environment of the process. */
  env: NodeJS.ProcessEnv;
  /** Appended to (created with their folders if missing); may be the same file. */
  stdoutPath: string;
  stderrPath: string;
}

/**
 * How a process ended. `lost`: the launcher died while the process ran, so its exit can no longer
 * be observed (it is not our child any more); the process itself is unharmed.
 */
export type ProcessEnd =
  | { pid: number; how: 'exited'; code: number }
  | { pid: number; how: 'signaled'; signal: string }
  | { pid: number; how: 'lost' };

/** The launcher died before answering: the process may or may not have started. */
export class LauncherDiedError extends Error {}

/** A spawn that was still waiting for its place when its signal aborted: nothing was started. */
export class SpawnDroppedError extends Error {
  constructor() {
    super('dropped before it started');
  }
}

export interface SpawnOptions {
  /** At most `limit` processes of `group` run at once; a spawn beyond that waits, in order, and starts the moment one ends. */
  gate?: { group: string; limit: number };
  /** Aborting a spawn that still waits for its place rejects it with `SpawnDroppedError`; one that started is left alone. */
  signal?: AbortSignal;
}

interface Pending {
  onEnd: (end: ProcessEnd) => void;
  resolve: (pid: number) => void;
  reject: (error: Error) => void;
}

/** How long `close` waits for the launcher to leave after its stdin closed before SIGKILLing it. */
const CLOSE_GRACE_MS = 5000;

/**
 * Starts processes, each in its own process group (pgid = pid), with stdin from /dev/null and
 * stdout/stderr appended to files. With `python3` the launcher process is started on the first
 * `spawn`, restarted on the next `spawn` after it died, and kept referenced (it keeps Node alive)
 * only while processes it started run. `onEnd` is called once per started process; it may be
 * called before the returned promise settles.
 */
export class ProcessLauncher {
  private current: LauncherKind;
  private child?: ChildProcessWithoutNullStreams;
  private gone?: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly running = new Map<number, (end: ProcessEnd) => void>();
  private readonly gates = new GroupGates();

  constructor(kind: LauncherKind = launcherKindFromEnv(), private readonly python = 'python3') {
    this.current = kind;
  }

  /** The environment sent to the launcher once at its start: requests carry only what differs from it. */
  private launcherEnv: NodeJS.ProcessEnv = {};

  /** `node` also after falling back because `python3` could not be started. */
  get kind(): LauncherKind {
    return this.current;
  }

  /** Starts the `python3` launcher now instead of on the first `spawn`, so that its start-up is not on a step's path. */
  start(): void {
    if (this.current === 'python3' && !this.child) this.startLauncher();
  }

  spawn(request: SpawnRequest, onEnd: (end: ProcessEnd) => void, options: SpawnOptions = {}): Promise<number> {
    const child = this.current === 'python3' ? (this.child ?? this.startLauncher()) : undefined;
    if (!child) return this.spawnWithNodeGated(request, onEnd, options);
    const id = this.nextId++;
    const { argv, cwd, stdoutPath: stdout, stderrPath: stderr } = request;
    const { env, unset } = envChanges(this.launcherEnv, request.env);
    const { gate, signal } = options;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { onEnd, resolve, reject });
      this.updateRef();
      child.stdin.write(`${JSON.stringify({ id, argv, cwd, env, unset, stdout, stderr, ...gate })}\n`);
      signal?.addEventListener('abort', () => {
        if (this.pending.has(id) && this.child === child) child.stdin.write(`${JSON.stringify({ drop: id })}\n`);
      }, { once: true });
    });
  }

  private async spawnWithNodeGated(request: SpawnRequest, onEnd: (end: ProcessEnd) => void, { gate, signal }: SpawnOptions): Promise<number> {
    if (!gate) return spawnWithNode(request, onEnd);
    await this.gates.enter(gate.group, gate.limit, signal, () => new SpawnDroppedError());
    try {
      return await spawnWithNode(request, (end) => {
        this.gates.leave(gate.group);
        onEnd(end);
      });
    } catch (error) {
      this.gates.leave(gate.group);
      throw error;
    }
  }

  /** Stops the launcher (it leaves running processes alone) and resolves once it has exited. */
  async close(): Promise<void> {
    const { child, gone } = this;
    if (!child || !gone) return;
    child.ref();
    child.stdin.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), CLOSE_GRACE_MS);
    await gone;
    clearTimeout(timer);
  }

  private startLauncher(): ChildProcessWithoutNullStreams | undefined {
    // Detached: a Ctrl-C meant for the driver must not kill the launcher while the driver stops its jobs.
    this.launcherEnv = { ...process.env };
    const child = spawn(this.python, ['-u', '-I', LAUNCHER_SCRIPT], { stdio: 'pipe', detached: true, env: this.launcherEnv });
    child.on('error', () => undefined); // a failed start is seen just below; later errors show up as 'close'
    if (child.pid === undefined) {
      this.current = 'node'; // no python3 here: one clear fallback, for the life of this launcher
      return undefined;
    }
    this.child = child;
    child.stdin.write(`${JSON.stringify({ base: this.launcherEnv })}\n`);
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
    child.stdin.on('error', () => undefined); // EPIPE when it died; handled on 'close'
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (this.onReply(parseReply(line))) return;
      // It cannot be trusted any more: its processes are reported lost, the next spawn starts another.
      stderr = `it wrote ${JSON.stringify(line.slice(0, 200))}, which is not a reply to a request. ${stderr}`;
      child.kill('SIGKILL');
    });
    this.gone = new Promise((resolve) => child.once('close', (code, signal) => {
      this.died(`the process launcher exited (${signal ?? `exit code ${code}`})${stderr ? `: ${stderr.trim()}` : ''}`);
      resolve();
    }));
    return child;
  }

  /** False when the line is not a reply to a request made (or an exit of a process started). */
  private onReply(reply: Reply | undefined): boolean {
    if (!reply) return false;
    if ('id' in reply) {
      const request = this.pending.get(reply.id);
      if (!request) return false;
      this.pending.delete(reply.id);
      if ('error' in reply) {
        request.reject(new Error(reply.error));
      } else if ('dropped' in reply) {
        request.reject(new SpawnDroppedError());
      } else {
        this.running.set(reply.pid, request.onEnd);
        request.resolve(reply.pid);
      }
    } else {
      const pid = reply.exit;
      const onEnd = this.running.get(pid);
      if (!onEnd) return false;
      this.running.delete(pid);
      onEnd('signal' in reply ? { pid, how: 'signaled', signal: reply.signal } : { pid, how: 'exited', code: reply.code });
    }
    this.updateRef();
    return true;
  }

  private died(message: string): void {
    this.child = undefined;
    this.gone = undefined;
    for (const request of this.pending.values()) request.reject(new LauncherDiedError(message));
    for (const [pid, onEnd] of this.running) onEnd({ pid, how: 'lost' });
    this.pending.clear();
    this.running.clear();
  }

  private updateRef(): void {
    const child = this.child;
    if (!child) return;
    const busy = this.pending.size > 0 || this.running.size > 0;
    // Pipes to a child process are sockets (their stream types do not say so).
    for (const handle of [child, child.stdout as Socket, child.stderr as Socket, child.stdin as Socket]) {
      if (busy) handle.ref();
      else handle.unref();
    }
  }
}

/** The fallback: Node's own spawn (its cost grows with this process's memory). */
async function spawnWithNode(request: SpawnRequest, onEnd: (end: ProcessEnd) => void): Promise<number> {
  const out = openForAppend(request.stdoutPath);
  try {
    const err = request.stderrPath === request.stdoutPath ? out : openForAppend(request.stderrPath);
    try {
      const child = spawn(request.argv[0]!, request.argv.slice(1), { cwd: request.cwd, env: request.env, detached: true, stdio: ['ignore', out, err] });
      const pid = child.pid;
      if (pid === undefined) {
        const error = await new Promise<NodeJS.ErrnoException>((resolve) => child.once('error', resolve));
        // libuv reports a missing working folder as "spawn bash ENOENT"; say what is really missing.
        throw error.code === 'ENOENT' && !fs.existsSync(request.cwd) ? new Error(`working folder ${request.cwd} does not exist`) : error;
      }
      child.once('exit', (code, signal) => onEnd(code !== null ? { pid, how: 'exited', code } : { pid, how: 'signaled', signal: signal! }));
      return pid;
    } finally {
      if (err !== out) fs.closeSync(err); // the child holds its own copies
    }
  } finally {
    fs.closeSync(out);
  }
}

/** Opens for appending, creating the parent folder only when it is missing (no extra syscalls otherwise). */
function openForAppend(file: string): number {
  try {
    return fs.openSync(file, 'a');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    return fs.openSync(file, 'a');
  }
}

/** What a process's environment changes relative to the launcher's own (sent instead of all of it). */
function envChanges(base: NodeJS.ProcessEnv, wanted: NodeJS.ProcessEnv): { env: Record<string, string>; unset: string[] } {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(wanted)) if (value !== undefined && base[name] !== value) env[name] = value;
  const unset = Object.keys(base).filter((name) => wanted[name] === undefined);
  return { env, unset };
}
