import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isJobFinished, type JobStatus } from '../../shared/compute/compute-target';
import { LAUNCHER_SCRIPT, LauncherDiedError, launcherKindFromEnv, ProcessLauncher, type LauncherKind, type ProcessEnd, type SpawnRequest } from '../../shared/compute/local/launcher';
import { LocalCompute, parseHandle, UNOBSERVED_EXIT_MESSAGE } from '../../shared/compute/local/local-compute';
import { LocalComputePool } from '../../shared/compute/local/local-compute-pool';
import { processGroupOf } from '../../shared/compute/local/orphans';
import { ValidationError } from '../../shared/errors';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-launcher-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

let counter = 0;
/** A request for `bash -c <command>` in a fresh folder under `root`; logs go to `<dir>/logs/`. */
function request(command: string, extra: Partial<SpawnRequest> = {}): SpawnRequest {
  const dir = path.join(root, `p${++counter}`);
  fs.mkdirSync(dir);
  const logs = path.join(dir, 'logs');
  return { argv: ['bash', '-c', command], cwd: dir, env: { ...process.env, N: String(counter) }, stdoutPath: path.join(logs, 'out'), stderrPath: path.join(logs, 'err'), ...extra };
}

/** Starts a process and resolves with its pid and a promise of how it ended. */
async function run(launcher: ProcessLauncher, req: SpawnRequest): Promise<{ pid: number; end: Promise<ProcessEnd> }> {
  let ended!: (end: ProcessEnd) => void;
  const end = new Promise<ProcessEnd>((resolve) => (ended = resolve));
  return { pid: await launcher.spawn(req, (e) => ended(e)), end };
}

const read = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

/** Alive and not a zombie. */
function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** Live launcher processes started by this test process. */
function launcherPids(): number[] {
  return fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number).filter((pid) => {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      return ppid === process.pid && isRunning(pid) && fs.readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('tributary_launcher.py');
    } catch {
      return false;
    }
  });
}

/** Launchers started since `before` was taken. */
const launchersSince = (before: number[]): number[] => launcherPids().filter((p) => !before.includes(p));

function killLaunchersSince(before: number[]): void {
  for (const pid of launchersSince(before)) process.kill(pid, 'SIGKILL');
}

async function waitFor(what: string, condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

for (const kind of ['python3', 'node'] as const) {
  describe(`ProcessLauncher (${kind})`, () => {
    const launcher = new ProcessLauncher(kind);
    after(() => launcher.close());

    test('starts the process in its own process group, appends its output and reports its exit code', async () => {
      const req = request('echo out; echo err >&2; exit 3');
      fs.mkdirSync(path.dirname(req.stdoutPath));
      fs.writeFileSync(req.stdoutPath, 'before\n');
      const { pid, end } = await run(launcher, req);
      assert.deepEqual(await end, { pid, how: 'exited', code: 3 });
      assert.deepEqual([read(req.stdoutPath), read(req.stderrPath)], ['before\nout\n', 'err\n']);
      assert.equal(launcher.kind, kind);
    });

    test('the process group, working folder, environment and stdin are the requested ones', async () => {
      const req = request('cat; echo "$PWD $N"; until [ -e release ]; do sleep 0.01; done');
      req.stderrPath = req.stdoutPath;
      const { pid, end } = await run(launcher, req);
      await waitFor('the echo', () => read(req.stdoutPath) !== '');
      assert.equal(processGroupOf(pid), pid);
      fs.writeFileSync(path.join(req.cwd, 'release'), '');
      assert.equal((await end).how, 'exited');
      assert.equal(read(req.stdoutPath), `${req.cwd} ${req.env.N}\n`);
    });

    test('death by a signal is reported with the signal name', async () => {
      const term = await run(launcher, request('kill -TERM $$'));
      const kill = await run(launcher, request('kill -KILL $$'));
      assert.deepEqual(await term.end, { pid: term.pid, how: 'signaled', signal: 'SIGTERM' });
      assert.deepEqual(await kill.end, { pid: kill.pid, how: 'signaled', signal: 'SIGKILL' });
    });

    test('a missing working folder is refused with a clear message', async () => {
      const missing = path.join(root, 'nope');
      await assert.rejects(launcher.spawn(request('true', { cwd: missing }), () => assert.fail('never started')), { message: `working folder ${missing} does not exist` });
    });

    test('many processes at once each get their own exit, exactly once', async () => {
      const ends = new Map<number, ProcessEnd[]>();
      const pids = await Promise.all(Array.from({ length: 200 }, (_, i) => launcher.spawn(request(`exit ${i}`), (end) => ends.set(end.pid, [...(ends.get(end.pid) ?? []), end]))));
      assert.equal(new Set(pids).size, 200);
      await waitFor('200 exits', () => ends.size === 200, 30_000);
      await sleep(50);
      pids.forEach((pid, i) => assert.deepEqual(ends.get(pid), [{ pid, how: 'exited', code: i }]));
    });
  });
}

describe('ProcessLauncher: the python3 launcher process', () => {
  test('speaks JSON lines: a reply per request, then one exit per started process', async () => {
    const child = spawn('python3', ['-u', '-I', LAUNCHER_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const ok = request('exit 7');
    const missing = path.join(root, 'missing');
    child.stdin.write(`${JSON.stringify({ id: 1, argv: ok.argv, cwd: ok.cwd, env: ok.env, stdout: ok.stdoutPath, stderr: ok.stderrPath })}\n`);
    child.stdin.write(`${JSON.stringify({ id: 2, argv: ok.argv, cwd: missing, env: {}, stdout: ok.stdoutPath, stderr: ok.stderrPath })}\n`);
    await waitFor('three lines', () => output.split('\n').length > 3);
    child.stdin.end();
    assert.equal(await new Promise((resolve) => child.once('close', resolve)), 0, 'exits when its stdin closes');
    const lines = output.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const pid = lines[0]!.pid; // the first reply comes first; the second may come before or after the exit
    assert.equal(typeof pid, 'number');
    assert.deepEqual(lines.slice(1).sort((a, b) => Number('exit' in a) - Number('exit' in b)), [{ id: 2, error: `working folder ${missing} does not exist` }, { exit: pid, code: 7 }]);
    assert.deepEqual(lines[0], { id: 1, pid });
  });

  test('keeps to a group\'s limit itself: a waiting request starts the moment one ends, or is dropped on request', async () => {
    const child = spawn('python3', ['-u', '-I', LAUNCHER_SCRIPT], { stdio: ['pipe', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const lines = () => output.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    const release = path.join(root, 'group-release');
    const first = request(`until [ -e ${release} ]; do sleep 0.01; done`);
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    const gated = (id: number, r: SpawnRequest) => send({ id, argv: r.argv, cwd: r.cwd, env: {}, stdout: r.stdoutPath, stderr: r.stderrPath, group: 'g', limit: 1 });
    gated(1, first);
    gated(2, request('exit 3'));
    gated(3, request('touch never'));
    await waitFor('the first start', () => lines().length === 1);
    await sleep(100);
    assert.deepEqual(lines().map((l) => l.id), [1], 'the others wait for its place');
    send({ drop: 3 });
    await waitFor('the drop', () => lines().length === 2);
    fs.writeFileSync(release, '');
    await waitFor('the first exit and the second start and exit', () => lines().length === 5);
    child.stdin.end();
    await new Promise((resolve) => child.once('close', resolve));
    const [, dropped, firstExit, secondStart, secondExit] = lines();
    assert.deepEqual(dropped, { id: 3, dropped: true });
    assert.deepEqual([firstExit, secondStart!.id, secondExit!.code], [{ exit: lines()[0]!.pid, code: 0 }, 2, 3]);
    assert.equal(fs.existsSync(path.join(root, 'never')), false);
  });

  test('falls back to Node when python3 cannot be started', async () => {
    const launcher = new ProcessLauncher('python3', path.join(root, 'no-such-python3'));
    const { pid, end } = await run(launcher, request('exit 4'));
    assert.deepEqual(await end, { pid, how: 'exited', code: 4 });
    assert.equal(launcher.kind, 'node');
    await launcher.close();
  });

  test('a launcher that writes something other than replies is stopped, and its requests fail', async () => {
    const impostor = path.join(root, 'impostor');
    fs.writeFileSync(impostor, '#!/bin/sh\necho "Python 2.7"; exec sleep 30\n', { mode: 0o755 });
    const launcher = new ProcessLauncher('python3', impostor);
    const error = await launcher.spawn(request('true'), () => assert.fail('never started')).then(() => assert.fail('resolved'), (e: unknown) => e);
    assert.ok(error instanceof LauncherDiedError);
    assert.match(error.message, /^the process launcher exited \(SIGKILL\): it wrote "Python 2.7", which is not a reply to a request/);
    await launcher.close();
  });

  test('TRIBUTARY_LAUNCHER chooses the launcher', () => {
    assert.equal(launcherKindFromEnv({}), 'python3');
    assert.equal(launcherKindFromEnv({ TRIBUTARY_LAUNCHER: 'node' }), 'node');
    assert.throws(() => launcherKindFromEnv({ TRIBUTARY_LAUNCHER: 'perl' }), (e) => e instanceof ValidationError && /TRIBUTARY_LAUNCHER must be "python3" or "node", got "perl"/.test(e.message));
  });

  test('is started on the first spawn, exits on close and leaves running processes alone', async () => {
    const before = launcherPids();
    const launcher = new ProcessLauncher('python3');
    assert.deepEqual(launcherPids(), before, 'not started before it is needed');
    const { pid } = await run(launcher, request('sleep 30'));
    assert.equal(launcherPids().length, before.length + 1);
    await launcher.close();
    assert.deepEqual(launcherPids(), before);
    assert.equal(isRunning(pid), true);
    process.kill(-pid, 'SIGKILL');
  });

  test('when it dies, running processes are reported lost and the next spawn starts a new one', async () => {
    const before = launcherPids();
    const launcher = new ProcessLauncher('python3');
    const sleeper = await run(launcher, request('sleep 30'));
    const [first] = launchersSince(before);
    process.kill(first!, 'SIGKILL');
    assert.deepEqual(await sleeper.end, { pid: sleeper.pid, how: 'lost' });
    assert.equal(isRunning(sleeper.pid), true, 'the process itself is unharmed');
    process.kill(-sleeper.pid, 'SIGKILL');
    const next = await run(launcher, request('exit 5'));
    assert.deepEqual(await next.end, { pid: next.pid, how: 'exited', code: 5 });
    assert.notDeepEqual(launchersSince(before), [first]);
    await launcher.close();
  });

  test('an idle launcher does not keep Node running', () => {
    const script = `const { ProcessLauncher } = require(${JSON.stringify(require.resolve('../../shared/compute/local/launcher'))});
      new ProcessLauncher('python3').spawn({ argv: ['true'], cwd: '/', env: process.env, stdoutPath: '/dev/null', stderrPath: '/dev/null' }, () => console.log('ended'));`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
    assert.deepEqual([result.status, result.stdout], [0, 'ended\n']);
  });
});

describe('LocalCompute with the python3 launcher', () => {
  async function finish(compute: LocalCompute, handle: string): Promise<JobStatus> {
    for (;;) {
      const status = await compute.poll(handle, 5000);
      if (isJobFinished(status.state)) return status;
    }
  }
  const job = (req: SpawnRequest, n: number) => ({ id: `launcher${process.pid}.s${n}.1`, runId: 'r', step: `s${n}`, attempt: 1, command: req.argv[2]!, workingDir: req.cwd, env: {}, stdoutPath: req.stdoutPath, stderrPath: req.stderrPath });

  test('a step outlives the launcher: it is watched until it exits, then reported with an unknown exit code', async () => {
    const before = launcherPids();
    const compute = new LocalCompute({ name: 'l', maxConcurrency: 2, launcher: 'python3', killGraceMs: 200 });
    const steady = request('until [ -e release ]; do sleep 0.01; done');
    const stopped = request('sleep 30');
    const [a, b] = [await compute.submit(job(steady, 1)), await compute.submit(job(stopped, 2))];
    killLaunchersSince(before);
    await sleep(200);
    assert.equal((await compute.poll(a, 0)).state, 'Running');
    fs.writeFileSync(path.join(steady.cwd, 'release'), '');
    assert.deepEqual([(await finish(compute, a)).state, (await compute.poll(a, 0)).message], ['Failed', UNOBSERVED_EXIT_MESSAGE]);
    await compute.cancel(b);
    assert.equal((await compute.poll(b, 0)).state, 'Canceled');
    await waitFor('the canceled step to be gone', () => !isRunning(parseHandle(b).pid!), 2000);
    const later = await compute.submit(job(request('exit 0'), 3));
    assert.equal((await finish(compute, later)).state, 'Succeeded', 'a new launcher starts later steps');
    await compute.close();
    assert.deepEqual(launcherPids(), before, 'close leaves no launcher behind');
  });

  test('when the launcher dies, jobs that waited there for a place start through a new one', async () => {
    const before = launcherPids();
    const compute = new LocalCompute({ name: 'l', maxConcurrency: 1, launcher: 'python3', killGraceMs: 200 });
    const busy = request('until [ -e release ]; do sleep 0.01; done');
    const waiting = request('echo ran > ran');
    const [a, b] = [await compute.submit(job(busy, 7)), await compute.submit(job(waiting, 8))];
    await waitFor('the first to run', () => launcherPids().length > before.length);
    await sleep(100);
    assert.equal((await compute.poll(b, 0)).state, 'Queued');
    killLaunchersSince(before);
    assert.equal((await finish(compute, b)).state, 'Succeeded', 'started again, not failed');
    assert.equal(fs.readFileSync(path.join(waiting.cwd, 'ran'), 'utf8'), 'ran\n');
    fs.writeFileSync(path.join(busy.cwd, 'release'), '');
    assert.equal((await finish(compute, a)).message, UNOBSERVED_EXIT_MESSAGE);
    await compute.close();
  });

  test('close with a running step stops it and leaves no launcher behind', async () => {
    const before = launcherPids();
    const compute = new LocalCompute({ name: 'l', maxConcurrency: 1, launcher: 'python3', killGraceMs: 200 });
    const handle = await compute.submit(job(request('sleep 30'), 4));
    await compute.close();
    assert.equal((await compute.poll(handle, 0)).state, 'Canceled');
    assert.equal(isRunning(parseHandle(handle).pid!), false);
    assert.deepEqual(launcherPids(), before);
  });

  test('a pool starts one launcher ahead of its first step, shares it between targets and closes it', async () => {
    const before = launcherPids();
    const pool = new LocalComputePool({ defaultMaxConcurrency: 1 });
    pool.startLauncher();
    const started = launchersSince(before);
    assert.equal(started.length, 1, 'started before any step');
    const [cpu, gpu] = [pool.get('cpu'), pool.get('gpu')];
    const handles = [await cpu.submit(job(request('exit 0'), 5)), await gpu.submit(job(request('exit 0'), 6))];
    assert.deepEqual([(await finish(cpu, handles[0]!)).state, (await finish(gpu, handles[1]!)).state], ['Succeeded', 'Succeeded']);
    assert.deepEqual(launchersSince(before), started, 'both targets started their steps through it');
    await pool.close();
    assert.deepEqual(launcherPids(), before, 'closed with the pool');
  });

  test('the whole LocalCompute suite passes with TRIBUTARY_LAUNCHER=node', async () => {
    const suite = path.join(__dirname, 'local-compute.test.js');
    // Without NODE_TEST_CONTEXT the nested runner reports in plain text rather than to our runner.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', '--test', suite], { env: { ...env, TRIBUTARY_LAUNCHER: 'node' satisfies LauncherKind }, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise((resolve) => child.once('close', resolve));
    assert.equal(code, 0, output.split('\n').filter((l) => /not ok|error:/.test(l)).join('\n'));
    assert.match(output, /# fail 0/);
  });
});
