import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as functions from '@azure/functions';
import { InvocationContext } from '@azure/functions';
import { CLIENT_ACTIVITY, RUN_ORCHESTRATION, STEP_ORCHESTRATION } from '../../functions/durable/names';
import { ACTIVITY_NAMES } from '../../shared/orchestration/activity-types';
import { executionStarted, orchestratorStarted } from './harness/history';

interface Registration {
  trigger: string;
  extraInputs: string[];
  handler: (trigger: unknown, context: InvocationContext) => Promise<unknown>;
}

/** What the entry point registers, captured as the Functions host would receive it. */
const registered = new Map<string, Registration>();

before(async () => {
  (functions.app as { generic: unknown }).generic = (name: string, options: functions.GenericFunctionOptions) => {
    registered.set(name, {
      trigger: options.trigger.type,
      extraInputs: (options.extraInputs ?? []).map((input) => input.type),
      handler: options.handler as Registration['handler'],
    });
  };
  await import('../../functions/index.js');
});

describe('the Function App entry point', () => {
  it('registers both orchestrations and every activity of the typed registry, by name', () => {
    assert.equal(registered.get(RUN_ORCHESTRATION)?.trigger, 'orchestrationTrigger');
    assert.equal(registered.get(STEP_ORCHESTRATION)?.trigger, 'orchestrationTrigger');
    for (const name of ACTIVITY_NAMES) assert.deepEqual(registered.get(name)?.trigger, 'activityTrigger', name);
  });

  it('gives the activities that start and signal orchestrations a Durable client input', () => {
    for (const name of Object.values(CLIENT_ACTIVITY)) {
      assert.deepEqual(registered.get(name), { ...registered.get(name)!, trigger: 'activityTrigger', extraInputs: ['durableClient'] }, name);
    }
  });

  it('registers the run orchestration as a Durable orchestrator that starts by reading the plan', async () => {
    const at = new Date(Date.UTC(2025, 0, 1));
    const input = { runId: 'r1', monitor: { pollWaitMs: 0, initialDelayMs: 1000, maxDelayMs: 8000 } };
    const trigger = { history: [orchestratorStarted(at), executionStarted(at, RUN_ORCHESTRATION, input)], input, instanceId: 'r1', isReplaying: false, upperSchemaVersion: 2 };
    const state = (await registered.get(RUN_ORCHESTRATION)!.handler(trigger, new InvocationContext())) as { isDone: boolean; actions: unknown[][] };
    assert.equal(state.isDone, false);
    assert.deepEqual(JSON.parse(JSON.stringify(state.actions)), [[{ actionType: 0, functionName: 'startRun', input: { runId: 'r1' } }]]);
  });

  it('an activity started without app settings fails naming the missing setting', async () => {
    const activity = registered.get('startRun')!;
    await assert.rejects(activity.handler({ runId: 'r1' }, new InvocationContext()), /app setting COSMOS_ENDPOINT/);
  });
});
