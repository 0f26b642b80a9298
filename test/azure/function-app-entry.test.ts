import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CLIENT_ACTIVITY, RESTART_SWEEP, RUN_ORCHESTRATION, STEP_ORCHESTRATION } from '../../functions/durable/names';
import { API_ROUTES } from '../../shared/api/routes';
import { ACTIVITY_NAMES } from '../../shared/orchestration/activity-types';
import { installFakeFunctionsCore, registered, type CoreRegistration } from './support/fake-functions-core';

const trigger = (r: CoreRegistration) => Object.values(r.bindings).filter((b) => b.direction === 'in' && b.type.endsWith('Trigger'));
const inputTypes = (r: CoreRegistration) => Object.values(r.bindings).filter((b) => b.direction === 'in' && !b.type.endsWith('Trigger')).map((b) => b.type);

/** The Function App entry point (`package.json` main) as the host loads it: what `func start` serves. */
describe('the Function App entry point, registered with the worker core API (fake)', () => {
  let schedule: string;
  const byName = (name: string): CoreRegistration => {
    const found = registered.find((r) => r.name === name);
    assert.ok(found, `${name} is registered`);
    return found;
  };

  before(async () => {
    installFakeFunctionsCore();
    await import('../../functions/index.js');
    ({ RESTART_SWEEP_SCHEDULE: schedule } = await import('../../functions/timers/restart-sweep.js'));
  });

  it('registers every function once, each with one trigger', () => {
    const names = registered.map((r) => r.name);
    assert.equal(new Set(names).size, names.length, `duplicates in ${names.join(', ')}`);
    for (const r of registered) assert.equal(trigger(r).length, 1, r.name);
  });

  it('serves every route of the HTTP API, anonymous at the Functions level (the API authenticates), with a Durable client', () => {
    for (const [name, route] of Object.entries(API_ROUTES)) {
      const registration = byName(name);
      const [http] = trigger(registration);
      assert.deepEqual({ type: http!.type, route: http!['route'], methods: http!['methods'], authLevel: http!['authLevel'] }, { type: 'httpTrigger', route: route.route, methods: route.methods, authLevel: 'anonymous' }, name);
      assert.deepEqual(inputTypes(registration), ['durableClient'], name);
    }
  });

  it('registers the orchestrations, the typed activities and the client activities', () => {
    for (const name of [RUN_ORCHESTRATION, STEP_ORCHESTRATION]) assert.equal(trigger(byName(name))[0]!.type, 'orchestrationTrigger', name);
    for (const name of ACTIVITY_NAMES) assert.equal(trigger(byName(name))[0]!.type, 'activityTrigger', name);
    for (const name of Object.values(CLIENT_ACTIVITY)) assert.deepEqual(inputTypes(byName(name)), ['durableClient'], name);
  });

  it('runs the re-start sweep on a timer with a Durable client', () => {
    const sweep = byName(RESTART_SWEEP);
    assert.deepEqual(trigger(sweep).map((t) => [t.type, t['schedule']]), [['timerTrigger', schedule]]);
    assert.equal(schedule, '0 */5 * * * *');
    assert.deepEqual(inputTypes(sweep), ['durableClient']);
  });

  it('has nothing else: the HTTP routes, two orchestrations, the activities and the sweep', () => {
    const expected = Object.keys(API_ROUTES).length + 2 + ACTIVITY_NAMES.length + Object.values(CLIENT_ACTIVITY).length + 1;
    assert.equal(registered.length, expected, registered.map((r) => r.name).join(', '));
  });
});
