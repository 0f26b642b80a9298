import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isJobFinished, type JobStatus, type StepJob } from '../../shared/compute/compute-target';
import { ValidationError } from '../../shared/errors';
import { describeHostInterpreters } from '../../shared/compute/local/host-interpreters';
import { LocalComputePool } from '../../shared/compute/local/local-compute-pool';
import { formatHandle, killOrphan, LocalCompute, LOST_PROCESS_MESSAGE, parseHandle } from '../../shared/compute/local/local-compute';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-local-compute-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

let counter = 0;
// Unique per test process: orphan killing finds processes by job id, and test files may run side by side.
const runId = `run${process.pid}`;
/** A job with its own working folder under `root`; logs go to `<dir>/logs/`. */
function makeJob(command: string, extra: Partial<StepJob> = {}): StepJob {
  const n = ++counter;
  const dir = path.join(root, `job${n}`);
  fs.mkdirSync(dir);
  return {
    id: `${runId}.step${n}.1`, runId, step: `step${n}`, attempt: 1, command, workingDir: dir, env: {},
    stdoutPath: path.join(dir, 'logs', 'stdout.txt'), stderrPath: path.join(dir, 'logs', 'stderr.txt'), ...extra,
  };
}

const read = (file: string): string => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '');

/** Polls until the job finishes (a long poll also returns when a queued job starts). */
async function finish(compute: LocalCompute, handle: string): Promise<JobStatus> {
  for (;;) {
    const status = await compute.poll(handle, 5000);
    if (isJobFinished(status.state)) return status;
  }
}

async function waitFor(what: string, condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Alive and not a zombie (pid 1 here does not reap orphans, so killed orphans linger as zombies). */
function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

const pidOf = (handle: string): number => parseHandle(handle).pid!;
const childOf = (job: StepJob): number => Number(read(path.join(job.workingDir, 'child.pid')));

/** When a stopped job is reported, its processes have been sent SIGKILL; dying takes the kernel a moment. */
async function assertGone(pid: number): Promise<void> {
  assert.ok(pid > 0);
  await waitFor(`process ${pid} to be gone`, () => !isRunning(pid), 2000);
}
const SPAWN_TREE = 'sleep 30 & echo $! > child.pid; echo ready; wait';

describe('LocalCompute: exit codes and output', () => {
  const compute = new LocalCompute({ name: 'local', maxConcurrency: 2, killGraceMs: 200 });
  after(() => compute.close());

  test('exit code 0 is Succeeded, with start and end times', async () => {
    const status = await compute.poll(await compute.submit(makeJob('true')), 5000);
    assert.equal(status.state, 'Succeeded');
    assert.equal(status.exitCode, 0);
    assert.ok(Date.parse(status.startedAt!) <= Date.parse(status.endedAt!));
  });

  test('a non-zero exit is Failed with the exit code', async () => {
    const status = await compute.poll(await compute.submit(makeJob('echo about to fail; exit 3')), 5000);
    assert.deepEqual([status.state, status.exitCode, status.message], ['Failed', 3, 'exit code 3']);
  });

  test('death by a signal is Failed naming the signal', async () => {
    const status = await compute.poll(await compute.submit(makeJob('kill -KILL $$')), 5000);
    assert.deepEqual([status.state, status.exitCode, status.message], ['Failed', undefined, 'killed by signal SIGKILL']);
  });

  test('stdout and stderr are appended to their files in full and readable while the job runs', async () => {
    const job = makeJob("head -c 1048576 /dev/zero | tr '\\0' x; echo; echo to-stderr >&2; echo ready; until [ -e release ]; do sleep 0.01; done; echo done");
    fs.mkdirSync(path.dirname(job.stdoutPath));
    fs.writeFileSync(job.stdoutPath, 'previous attempt\n');
    const handle = await compute.submit(job);
    await waitFor('"ready" in stdout', () => read(job.stdoutPath).endsWith('ready\n'));
    assert.equal((await compute.poll(handle, 0)).state, 'Running');
    assert.equal(read(job.stderrPath), 'to-stderr\n');
    fs.writeFileSync(path.join(job.workingDir, 'release'), '');
    assert.equal((await finish(compute, handle)).state, 'Succeeded');
    assert.equal(read(job.stdoutPath), `previous attempt\n${'x'.repeat(1048576)}\nready\ndone\n`);
  });

  test('runs in the working folder with the job environment, the host environment and TRIBUTARY_JOB_ID', async () => {
    const job = makeJob('echo "$PWD|$GREETING|$TRIBUTARY_JOB_ID|$PATH"', { env: { GREETING: 'hello world' } });
    assert.equal((await finish(compute, await compute.submit(job))).state, 'Succeeded');
    assert.equal(read(job.stdoutPath), `${job.workingDir}|hello world|${job.id}|${process.env.PATH}\n`);
  });

  test('a step gets default signal handling: a writer to a closed pipe ends quietly', async () => {
    const job = makeJob('yes | head -n 1; echo "${PIPESTATUS[0]}"');
    assert.equal((await finish(compute, await compute.submit(job))).state, 'Succeeded');
    assert.equal(read(job.stdoutPath), 'y\n141\n', 'yes was killed by SIGPIPE (128 + 13)');
    assert.equal(read(job.stderrPath), '');
  });

  test('one file for stdout and stderr keeps both', async () => {
    const job = makeJob('echo out; echo err >&2; echo out2');
    job.stderrPath = job.stdoutPath;
    assert.equal((await finish(compute, await compute.submit(job))).state, 'Succeeded');
    assert.equal(read(job.stdoutPath), 'out\nerr\nout2\n');
  });

  test('a missing working folder fails the job with a clear message and frees the slot', async () => {
    const status = await compute.poll(await compute.submit(makeJob('true', { workingDir: path.join(root, 'nope') })), 5000);
    assert.equal(status.state, 'Failed');
    assert.equal(status.message, `could not start: working folder ${path.join(root, 'nope')} does not exist`);
    assert.equal(compute.runningCount, 0);
  });

  test('poll with waitMs returns as soon as the job ends, and Running when the wait runs out', async () => {
    const quick = await compute.submit(makeJob('sleep 0.1'));
    const began = Date.now();
    assert.equal((await finish(compute, quick)).state, 'Succeeded');
    assert.ok(Date.now() - began < 30_000, 'returned on exit, not at the end of the wait');
    const slow = await compute.submit(makeJob('sleep 30'));
    assert.equal((await compute.poll(slow, 50)).state, 'Running');
    await compute.cancel(slow);
  });
});

describe('LocalCompute: queueing', () => {
  test('never runs more than maxConcurrency jobs at once', async () => {
    const compute = new LocalCompute({ name: 'capped', maxConcurrency: 2 });
    const log = path.join(root, 'concurrency.log');
    // Each job waits until two have started, so the first two overlap however slow the machine is.
    const command = `echo start >> ${log}; until [ $(grep -c start ${log}) -ge 2 ]; do sleep 0.01; done; sleep 0.05; echo end >> ${log}`;
    const handles = await Promise.all([1, 2, 3, 4, 5].map(() => compute.submit(makeJob(command))));
    assert.deepEqual([compute.runningCount, compute.queuedCount], [2, 3]);
    assert.deepEqual((await Promise.all(handles.map((h) => compute.poll(h, 0)))).map((s) => s.state), ['Running', 'Running', 'Queued', 'Queued', 'Queued']);
    for (const h of handles) assert.equal((await finish(compute, h)).state, 'Succeeded');
    let now = 0;
    let most = 0;
    for (const line of read(log).trim().split('\n')) most = Math.max(most, (now += line === 'start' ? 1 : -1));
    assert.equal(most, 2);
  });

  test('starts queued jobs in submission order', async () => {
    const compute = new LocalCompute({ name: 'serial', maxConcurrency: 1 });
    const log = path.join(root, 'order.log');
    const handles: string[] = [];
    for (const n of [1, 2, 3, 4]) handles.push(await compute.submit(makeJob(`echo ${n} >> ${log}`)));
    const statuses = await Promise.all(handles.map((h) => finish(compute, h)));
    assert.equal(read(log), '1\n2\n3\n4\n');
    const starts = statuses.map((s) => Date.parse(s.startedAt!));
    assert.deepEqual(starts, [...starts].sort((a, b) => a - b));
  });

  test('submitting the same job id again returns the same handle and starts nothing', async () => {
    const compute = new LocalCompute({ name: 'idem', maxConcurrency: 1 });
    const job = makeJob('echo ran >> count');
    const [first, second] = await Promise.all([compute.submit(job), compute.submit({ ...job })]);
    assert.equal(first, second);
    await finish(compute, first);
    assert.equal(await compute.submit(job), first);
    await sleep(50);
    assert.equal(read(path.join(job.workingDir, 'count')), 'ran\n');
  });

  test('rejects a timeout that is not a positive number', async () => {
    const compute = new LocalCompute({ name: 'bad', maxConcurrency: 1 });
    await assert.rejects(compute.submit(makeJob('true', { timeoutSeconds: 0 })), ValidationError);
  });
});

describe('LocalCompute: timeouts and cancellation', () => {
  test('a timeout stops the whole process tree, even a child that ignores SIGTERM, and reports TimedOut', async () => {
    const compute = new LocalCompute({ name: 'timeouts', maxConcurrency: 1, killGraceMs: 200 });
    // bash dies of the SIGTERM; its child ignores it and must still go (SIGKILL once bash exited).
    const job = makeJob("(trap '' TERM; exec sleep 30) & echo $! > child.pid; echo ready; wait", { timeoutSeconds: 0.3 });
    const handle = await compute.submit(job);
    await waitFor('the child pid', () => read(job.stdoutPath) === 'ready\n');
    const status = await finish(compute, handle);
    assert.deepEqual([status.state, status.message], ['TimedOut', 'timed out after 0.3s']);
    await assertGone(pidOf(handle));
    await assertGone(childOf(job));
  });

  test('cancel removes a queued job and stops a running one', async () => {
    const compute = new LocalCompute({ name: 'cancels', maxConcurrency: 1, killGraceMs: 200 });
    const running = makeJob(SPAWN_TREE);
    const queued = makeJob('touch ran');
    const [a, b] = [await compute.submit(running), await compute.submit(queued)];
    assert.equal((await compute.poll(b, 0)).state, 'Queued');
    await compute.cancel(b);
    const canceled = await compute.poll(b, 0);
    assert.deepEqual([canceled.state, canceled.message, canceled.startedAt], ['Canceled', 'canceled before it started', undefined]);
    await waitFor('the job to start its tree', () => read(running.stdoutPath) === 'ready\n');
    await compute.cancel(a);
    assert.equal((await compute.poll(a, 0)).state, 'Canceled');
    await assertGone(childOf(running));
    await sleep(50);
    assert.equal(fs.existsSync(path.join(queued.workingDir, 'ran')), false, 'the canceled queued job never ran');
    assert.deepEqual([compute.runningCount, compute.queuedCount], [0, 0]);
  });

  test('a job that ignores SIGTERM is SIGKILLed after the grace period; cancel is idempotent', async () => {
    const grace = 300;
    const compute = new LocalCompute({ name: 'stubborn', maxConcurrency: 1, killGraceMs: grace });
    const job = makeJob(`trap '' TERM; ${SPAWN_TREE}`);
    const handle = await compute.submit(job);
    await waitFor('the trap to be set', () => read(job.stdoutPath) === 'ready\n');
    const began = Date.now();
    await Promise.all([compute.cancel(handle), compute.cancel(handle)]);
    assert.ok(Date.now() - began >= grace - 20, 'SIGTERM was ignored, so only SIGKILL after the grace ended it');
    await compute.cancel(handle);
    assert.equal((await compute.poll(handle, 0)).state, 'Canceled');
    await assertGone(childOf(job));
  });

  test('cancel of a finished job changes nothing', async () => {
    const compute = new LocalCompute({ name: 'done', maxConcurrency: 1 });
    const handle = await compute.submit(makeJob('true'));
    const before = await finish(compute, handle);
    await compute.cancel(handle);
    assert.deepEqual(await compute.poll(handle, 0), before);
  });

  test('close cancels queued and running jobs and resolves when they have exited', async () => {
    const compute = new LocalCompute({ name: 'closing', maxConcurrency: 1, killGraceMs: 200 });
    const running = makeJob(SPAWN_TREE);
    const [a, b] = [await compute.submit(running), await compute.submit(makeJob('true'))];
    await waitFor('the job to start', () => read(running.stdoutPath) === 'ready\n');
    await compute.close();
    assert.deepEqual([(await compute.poll(a, 0)).state, (await compute.poll(b, 0)).state], ['Canceled', 'Canceled']);
    await assertGone(pidOf(a));
    await assert.rejects(compute.submit(makeJob('true')), /shut down/);
  });
});

describe('LocalCompute: jobs of a lost driver', () => {
  test('polling a handle of another driver reports it lost and kills its process tree', async () => {
    const first = new LocalCompute({ name: 'local', maxConcurrency: 1 });
    const second = new LocalCompute({ name: 'local', maxConcurrency: 1, killGraceMs: 200 });
    const job = makeJob(SPAWN_TREE);
    const handle = await first.submit(job);
    await waitFor('the job to start', () => read(job.stdoutPath) === 'ready\n');
    assert.deepEqual(await second.poll(handle, 0), { state: 'Failed', message: LOST_PROCESS_MESSAGE });
    await assertGone(pidOf(handle));
    await assertGone(childOf(job));
    assert.equal(await second.killOrphan(handle), false, 'nothing left to kill');
  });

  test('after a driver crash (kill -9), the orphaned step is found by its job id and killed', async () => {
    const job = makeJob(SPAWN_TREE);
    const driver = spawn(process.execPath, [path.join(__dirname, '..', 'fixtures', 'compute', 'orphaning-driver.js'), JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let handle = '';
    driver.stdout.on('data', (chunk: Buffer) => (handle += chunk.toString()));
    await waitFor('the step to start', () => handle.endsWith('\n') && read(job.stdoutPath) === 'ready\n');
    driver.kill('SIGKILL');
    await new Promise((resolve) => driver.once('exit', resolve));
    const stepPid = pidOf(handle.trim());
    assert.equal(isRunning(stepPid), true, 'the step outlived its driver');
    // The handle of a job queued at submission has no pid: the /proc scan must find the processes.
    assert.equal(await killOrphan(formatHandle(job.id, undefined), 200), true);
    await assertGone(stepPid);
    await assertGone(childOf(job));
  });

  test('a live process that does not carry the job id is never killed', async () => {
    const stranger = spawn('sleep', ['30'], { stdio: 'ignore', env: { ...process.env, TRIBUTARY_JOB_ID: 'someone.else.1' } });
    try {
      assert.equal(await killOrphan(formatHandle(`${runId}.mine.1`, stranger.pid), 100), false);
      assert.equal(isRunning(stranger.pid!), true);
    } finally {
      stranger.kill('SIGKILL');
    }
  });
});

describe('handles, pool and host interpreters', () => {
  test('handles round-trip (job ids may contain colons) and foreign handles are rejected', () => {
    assert.equal(formatHandle('r:1.a.1', 42), 'local:42:r:1.a.1');
    assert.deepEqual(parseHandle('local:42:r:1.a.1'), { jobId: 'r:1.a.1', pid: 42 });
    assert.deepEqual(parseHandle('local:-:r.a.1'), { jobId: 'r.a.1' });
    for (const bad of ['batch:1:x', 'local:x:y', 'local:1:', 'local:0:a', 'local']) assert.throws(() => parseHandle(bad), ValidationError, bad);
  });

  test('the pool keeps one LocalCompute per name with its own cap', async () => {
    const pool = new LocalComputePool({ defaultMaxConcurrency: 3, perTarget: { gpu: 1 } });
    assert.equal(pool.get('cpu'), pool.get('cpu'));
    assert.deepEqual([pool.get('cpu').maxConcurrency, pool.get('gpu').maxConcurrency], [3, 1]);
    assert.equal(new LocalComputePool().get('x').maxConcurrency, os.availableParallelism());
    assert.throws(() => new LocalComputePool({ perTarget: { gpu: 0 } }), /perTarget\.gpu|at least 1/);
    await pool.close();
  });

  test("a pool's steps do not inherit withheld variables (a step may still set them itself)", async () => {
    const pool = new LocalComputePool({ defaultMaxConcurrency: 1 });
    process.env.TRIBUTARY_TEST_SECRET = 'inherited-secret';
    try {
      const target = pool.get('cpu');
      pool.withhold(['TRIBUTARY_TEST_SECRET', 'TRIBUTARY_TEST_OTHER']);
      const inherited = makeJob('echo "[$TRIBUTARY_TEST_SECRET]"');
      const own = makeJob('echo "[$TRIBUTARY_TEST_OTHER]"', { env: { TRIBUTARY_TEST_OTHER: 'set by the step' } });
      for (const job of [inherited, own]) assert.equal((await finish(target, await target.submit(job))).state, 'Succeeded');
      assert.equal(read(inherited.stdoutPath), '[]\n');
      assert.equal(read(own.stdoutPath), '[set by the step]\n');
    } finally {
      delete process.env.TRIBUTARY_TEST_SECRET;
      await pool.close();
    }
  });

  test('describeHostInterpreters names the bash and python3 versions, once', () => {
    const line = describeHostInterpreters();
    assert.match(line, /host|machine/);
    assert.match(line, /GNU bash, version \d/);
    assert.match(line, /python3|Python 3/);
    assert.equal(describeHostInterpreters(), line);
  });
});
