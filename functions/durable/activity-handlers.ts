/**
 * Handlers for every activity of the typed registry, bound to an `Activities` implementation
 * (Azure adapters in the Function App, local adapters in tests). Names come from ACTIVITY_NAMES,
 * so the registered set always matches the `Activities` interface.
 */
import type { InvocationContext } from '@azure/functions';
import { ACTIVITY_NAMES, type Activities, type ActivityName } from '../../shared/orchestration/activity-types';
import { withTransientRetry, type TransientRetryPolicy } from './transient-retry';

export type ActivityHandler = (input: unknown, context: InvocationContext) => Promise<unknown>;

export function createActivityHandlers(activities: () => Promise<Activities>, retry: TransientRetryPolicy): Record<ActivityName, ActivityHandler> {
  const handler =
    (name: ActivityName): ActivityHandler =>
    async (input) => {
      const impl = await activities();
      const run = impl[name] as (input: unknown) => Promise<unknown>;
      return withTransientRetry(() => run.call(impl, input), retry);
    };
  return Object.fromEntries(ACTIVITY_NAMES.map((name) => [name, handler(name)])) as Record<ActivityName, ActivityHandler>;
}
