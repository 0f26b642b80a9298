/** Registers every activity of the typed registry, implemented on the Azure adapters. */
import * as df from 'durable-functions';
import { ACTIVITY_NAMES } from '../../shared/orchestration/activity-types';
import { createActivityHandlers } from './activity-handlers';
import { azureServices } from './azure-services';
import { DEFAULT_TRANSIENT_RETRY } from './transient-retry';

const handlers = createActivityHandlers(async () => (await azureServices()).activities, DEFAULT_TRANSIENT_RETRY);
for (const name of ACTIVITY_NAMES) df.app.activity(name, { handler: handlers[name] });
