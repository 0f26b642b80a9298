/** The Function App entry (`package.json` main): one import per registration file, then the HTTP API's services. */
import './http/routes';
import './durable/run-orchestration';
import './durable/step-orchestration';
import './durable/activities';
import './durable/client-activities';
import './timers/restart-sweep';
import { azureServices } from './durable/azure-services';
import { instanceClientFor } from './durable/durable-client';
import { azureHttpServices } from './http/azure-http-services';
import { composeHttp } from './http/composition';

composeHttp(azureHttpServices({ services: azureServices, client: instanceClientFor }));
