import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvocationContext } from '@azure/functions';
import { createClientActivityHandlers } from '../../functions/durable/client-activity-handlers';
import type { InstanceClient, InstanceState } from '../../functions/durable/instance-client';
import { CLIENT_ACTIVITY } from '../../functions/durable/names';
import { TransientError } from '../../shared/errors';
import type { RunEvent, StepOutcome } from '../../shared/orchestration/messages';
import type { RunStore } from '../../shared/store/run-store';
import { newRun } from '../store/run-store-contract';

const MONITOR = { pollWaitMs: 0, initialDelayMs: 1000, maxDelayMs: 8000 };
const FAST = { maxAttempts: 3, initialDelayMs: 1, maxDelayMs: 2 };
const outcome = (step: string, status: StepOutcome['status'] = 'Completed'): StepOutcome => ({ step, status, reused: false });

/** An in-memory stand-in for the Durable client with scripted instance states. */
class ScriptedClient implements InstanceClient {
  readonly started: string[] = [];
  failStarts = 0;
  constructor(readonly states: Map<string, InstanceState> = new Map()) {}
  async status(id: string) {
    return this.states.get(id);
  }
  async start(_name: string, id: string) {
    if (this.failStarts-- > 0) throw new Error('The operation failed with an unexpected status code: 503');
    if (this.states.get(id)?.runtimeStatus === 'Running') throw new Error(`An instance with ID '${id}' already exists.`);
    this.started.push(id);
    this.states.set(id, { runtimeStatus: 'Running', output: null, customStatus: null });
  }
  async raise(id: string) {
    return this.states.has(id);
  }
}

function handlersFor(client: InstanceClient, store: Partial<RunStore> = { getRun: async () => undefined }) {
  return createClientActivityHandlers({ client: () => client, store: async () => store as RunStore, retry: FAST });
}
const context = (): InvocationContext => new InvocationContext({ logHandler: () => undefined });

describe('client activities', () => {
  it('missedRunEvents reads reports from step statuses and a requested cancel from the run record', async () => {
    const reported: RunEvent = { type: 'stepFinished', outcome: outcome('signaled'), index: 1 };
    const client = new ScriptedClient(
      new Map<string, InstanceState>([
        ['r~signaled', { runtimeStatus: 'Running', output: null, customStatus: reported }],
        ['r~done', { runtimeStatus: 'Completed', output: outcome('done'), customStatus: null }],
        ['r~crashed', { runtimeStatus: 'Failed', output: 'boom', customStatus: null }],
        ['r~killed', { runtimeStatus: 'Terminated', output: null, customStatus: null }],
        ['r~busy', { runtimeStatus: 'Running', output: null, customStatus: null }],
      ]),
    );
    const store = { getRun: async () => ({ ...newRun('r'), status: 'CancelRequested' as const, statusReason: 'stop it', version: 3 }) };
    const running = ['signaled', 'done', 'crashed', 'killed', 'busy', 'unknown'].map((step, index) => ({ step, index: index + 1 }));
    const events = await handlersFor(client, store)[CLIENT_ACTIVITY.missedRunEvents]({ runId: 'r', running }, context());
    assert.deepEqual(events, [
      reported,
      { type: 'stepFinished', outcome: outcome('done'), index: 2 },
      { type: 'stepFinished', outcome: { step: 'crashed', status: 'Failed', reused: false, message: 'step orchestration failed: boom' }, index: 3 },
      { type: 'stepFinished', outcome: { step: 'killed', status: 'Canceled', reused: false, message: 'step orchestration was terminated' }, index: 4 },
      { type: 'cancel', reason: 'stop it' },
    ]);
  });

  it('startStepOrchestrations starts each step once, also when run again or racing another start', async () => {
    const client = new ScriptedClient(new Map([['r~b', { runtimeStatus: 'Completed', output: outcome('b'), customStatus: null }]]));
    const steps = ['a', 'b', 'c'].map((step, index) => ({ runId: 'r', step, index, monitor: MONITOR }));
    const start = handlersFor(client)[CLIENT_ACTIVITY.startSteps];
    await start({ steps }, context());
    await start({ steps }, context());
    assert.deepEqual(client.started, ['r~a', 'r~c']);
  });

  it('startStepOrchestrations retries a failing client, then fails with TransientError', async () => {
    const client = new ScriptedClient();
    client.failStarts = 2;
    const start = handlersFor(client)[CLIENT_ACTIVITY.startSteps];
    await start({ steps: [{ runId: 'r', step: 'a', index: 0, monitor: MONITOR }] }, context());
    assert.deepEqual(client.started, ['r~a']);
    client.failStarts = 10;
    await assert.rejects(start({ steps: [{ runId: 'r', step: 'z', index: 1, monitor: MONITOR }] }, context()), (err: unknown) => {
      assert.ok(err instanceof TransientError);
      assert.match(err.message, /^Durable client: The operation failed with an unexpected status code: 503 \(still failing after 3 attempts\)$/);
      return true;
    });
  });

  it('signalRunOrchestration to a run without an instance warns and succeeds', async () => {
    const warnings: string[] = [];
    const ctx = new InvocationContext({ logHandler: (level, ...args) => level === 'warning' && warnings.push(args.join(' ')) });
    await handlersFor(new ScriptedClient())[CLIENT_ACTIVITY.signalRun]({ runId: 'gone', event: { type: 'cancel', reason: 'x' } }, ctx);
    assert.deepEqual(warnings, ['run gone has no orchestration instance; its step report was not delivered']);
  });
});
