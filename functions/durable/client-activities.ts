/** Registers the activities that use the Durable client (start steps, signal a run, missed events). */
import * as df from 'durable-functions';
import { azureServices } from './azure-services';
import { createClientActivityHandlers } from './client-activity-handlers';
import { durableClientInput, instanceClientFor } from './durable-client';
import { DEFAULT_TRANSIENT_RETRY } from './transient-retry';

const handlers = createClientActivityHandlers({
  client: instanceClientFor,
  store: async () => (await azureServices()).store,
  retry: DEFAULT_TRANSIENT_RETRY,
});
for (const [name, handler] of Object.entries(handlers)) {
  df.app.activity(name, { handler, extraInputs: [durableClientInput] });
}
