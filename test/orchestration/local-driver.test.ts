import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobStatus } from '../../shared/compute/compute-target';
import type { Activities, AttemptRef, StepRef } from '../../shared/orchestration/activity-types';
import { LocalDriver } from '../../shared/orchestration/local-driver';
import type { RunPlan, StepOutcome } from '../../shared/orchestration/messages';

const MONITOR = { pollWaitMs: 0, initialDelayMs: 1, maxDelayMs: 4 };

/**
 * FakeActivities: an in-memory stand-in for createActivities that "runs" each step by a script
 * (exit codes per attempt), so the orchestration's decisions can be observed without processes.
 */
class FakeActivities implements Activities {
  readonly submitted: string[] = [];
  readonly skipped = new Map<string, string>();
  readonly canceled: string[] = [];
  summaryReason?: string;
  private readonly polls = new Map<string, number>();

  constructor(
    private readonly plan: RunPlan,
    private readonly exitCodes: Record<string, number[]> = {},
    private readonly retries: Record<string, number> = {},
  ) {}

  async startRun() {
    return this.plan;
  }
  async prepareStep({ step }: StepRef) {
    return { action: 'run' as const, firstAttempt: 1, retry: { maxAttempts: this.retries[step] ?? 1, initialDelaySeconds: 0 } };
  }
  async submitStep({ step, attempt }: AttemptRef) {
    this.submitted.push(`${step}#${attempt}`);
    return { handle: `${step}#${attempt}` };
  }
  async pollStep({ handle }: AttemptRef & { handle: string }): Promise<JobStatus> {
    const n = (this.polls.get(handle) ?? 0) + 1;
    this.polls.set(handle, n);
    if (n < 2) return { state: 'Running' };
    const [step, attempt] = handle.split('#') as [string, string];
    const code = this.exitCodes[step]?.[Number(attempt) - 1] ?? 0;
    return code === 0 ? { state: 'Succeeded', exitCode: 0 } : { state: 'Failed', exitCode: code };
  }
  async finalizeStep({ step, job }: AttemptRef & { job: JobStatus }) {
    const status: StepOutcome['status'] = job.state === 'Succeeded' ? 'Completed' : 'Failed';
    return { outcome: { step, status, reused: false }, retryable: job.exitCode !== undefined };
  }
  async skipSteps({ steps, reason, reasons = {} }: { steps: string[]; reason: string; reasons?: Record<string, string> }) {
    for (const s of steps) this.skipped.set(s, reasons[s] ?? reason);
  }
  async cancelSteps({ steps }: { steps: string[] }) {
    this.canceled.push(...steps);
  }
  async finishRun({ runId, canceledReason }: { runId: string; canceledReason?: string }) {
    this.summaryReason = canceledReason;
    return { runId, status: canceledReason ? ('Canceled' as const) : ('Completed' as const) };
  }
}

const diamond = (continueOnStepFailure = false): RunPlan => ({
  steps: [
    { name: 'prep', after: [] },
    { name: 'a', after: ['prep'] },
    { name: 'b', after: ['prep'] },
    { name: 'join', after: ['a', 'b'] },
  ],
  continueOnStepFailure,
  finished: [],
});

describe('LocalDriver running the orchestration generators', () => {
  it('runs every step once, upstream before downstream', async () => {
    const fake = new FakeActivities(diamond());
    await new LocalDriver(fake).run({ runId: 'r1', monitor: MONITOR });
    assert.deepEqual([...fake.submitted].sort(), ['a#1', 'b#1', 'join#1', 'prep#1']);
    assert.equal(fake.submitted[0], 'prep#1');
    assert.equal(fake.submitted[3], 'join#1');
  });

  it('retries a failing step per its policy and submits each attempt exactly once', async () => {
    const fake = new FakeActivities(diamond(), { a: [1, 1, 0] }, { a: 3 });
    await new LocalDriver(fake).run({ runId: 'r2', monitor: MONITOR });
    assert.deepEqual(fake.submitted.filter((s) => s.startsWith('a#')), ['a#1', 'a#2', 'a#3']);
    assert.ok(fake.submitted.includes('join#1'));
  });

  it('does not start steps downstream of a failure and marks them with the reason', async () => {
    const fake = new FakeActivities(diamond(true), { a: [2] });
    await new LocalDriver(fake).run({ runId: 'r3', monitor: MONITOR });
    assert.ok(!fake.submitted.includes('join#1'));
    assert.equal(fake.skipped.get('join'), 'upstream step "a" failed');
    assert.ok(fake.submitted.includes('b#1'), 'independent branch still ran');
  });

  it('cancels running steps when a cancel event arrives', async () => {
    const plan: RunPlan = { steps: [{ name: 'slow', after: [] }], continueOnStepFailure: false, finished: [] };
    const fake = new FakeActivities(plan);
    fake.pollStep = async () => (fake.canceled.length > 0 ? { state: 'Canceled' } : { state: 'Running' });
    const driver = new LocalDriver(fake);
    const done = driver.run({ runId: 'r4', monitor: MONITOR });
    await new Promise((resolve) => setTimeout(resolve, 20));
    driver.signal('r4', { type: 'cancel', reason: 'test cancel' });
    const summary = await Promise.race([done, new Promise((resolve) => setTimeout(() => resolve('timeout'), 2000))]);
    assert.notEqual(summary, 'timeout');
    assert.deepEqual(fake.canceled, ['slow']);
    assert.equal(fake.summaryReason, 'test cancel');
  });

  it('submits the first of many ready steps before it has prepared them all, within its activity limit', async () => {
    const steps = Array.from({ length: 60 }, (_, i) => ({ name: `s${i}`, after: [] }));
    const fake = new FakeActivities({ steps, continueOnStepFailure: false, finished: [] });
    const order: string[] = [];
    let running = 0;
    let most = 0;
    const paced = <A extends unknown[], R>(label: string, fn: (...args: A) => Promise<R>) => async (...args: A): Promise<R> => {
      order.push(label);
      most = Math.max(most, ++running);
      try {
        await new Promise((resolve) => setImmediate(resolve));
        return await fn(...args);
      } finally {
        running--;
      }
    };
    fake.prepareStep = paced('prepare', fake.prepareStep.bind(fake));
    fake.submitStep = paced('submit', fake.submitStep.bind(fake));
    fake.finalizeStep = paced('finalize', fake.finalizeStep.bind(fake));
    await new LocalDriver(fake, { activityLimit: 4 }).run({ runId: 'r5', monitor: MONITOR });
    assert.equal(fake.submitted.length, 60);
    assert.ok(most <= 4, `at most 4 step activities at once, saw ${most}`);
    assert.ok(order.indexOf('submit') < order.lastIndexOf('prepare'), 'a step was submitted while others still waited to be prepared');
  });
});

