import { app } from '@azure/functions';
import { azureServices } from '../durable/azure-services';
import { durableClientInput, instanceClientFor } from '../durable/durable-client';
import { RESTART_SWEEP } from '../durable/names';
import { restartSweepHandler } from '../durable/unstarted-runs';

/** Every 5 minutes: start runs that were recorded but never got an orchestration (`unstarted-runs.ts`). */
export const RESTART_SWEEP_SCHEDULE = '0 */5 * * * *';

app.timer(RESTART_SWEEP, {
  schedule: RESTART_SWEEP_SCHEDULE,
  extraInputs: [durableClientInput],
  handler: restartSweepHandler({ store: async () => (await azureServices()).store, client: instanceClientFor }),
});
