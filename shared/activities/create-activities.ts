import type { Activities } from '../orchestration/activity-types';
import type { ActivityDeps } from './deps';
import { RunCache } from './run-cache';
import { createRunActivities } from './run-activities';
import { createStepActivities } from './step-activities';

/** All activities, bound to injected clients (store, compute, data plane, workspace). */
export function createActivities(deps: ActivityDeps): Activities {
  const runs = new RunCache(deps.store);
  return { ...createRunActivities(deps, runs), ...createStepActivities(deps, runs) };
}
