/**
 * All HTTP functions of the API, registered by importing this module (the app entry point does;
 * so does the local host, which routes requests to these same handlers). Streaming responses
 * (step logs with follow) and early-stopping body reads need HTTP streams enabled.
 */
import { app } from '@azure/functions';
import type { ApiHttpFunction } from './http-function';
import { healthFunction } from './health';
import { publishPipelineFunction } from './publish-pipeline';
import { listPipelinesFunction } from './list-pipelines';
import { getPipelineFunction } from './get-pipeline';
import { disablePipelineFunction } from './disable-pipeline';
import { enablePipelineFunction } from './enable-pipeline';
import { invokePipelineFunction } from './invoke-pipeline';
import { createEndpointFunction } from './create-endpoint';
import { listEndpointsFunction } from './list-endpoints';
import { getEndpointFunction } from './get-endpoint';
import { addEndpointVersionFunction } from './add-endpoint-version';
import { setEndpointDefaultFunction } from './set-endpoint-default';
import { invokeEndpointFunction } from './invoke-endpoint';
import { listRunsFunction } from './list-runs';
import { getRunFunction } from './get-run';
import { cancelRunFunction } from './cancel-run';
import { getRunMetricsFunction } from './get-run-metrics';
import { getStepLogsFunction } from './get-step-logs';
import { notFoundFunction } from './not-found';

app.setup({ enableHttpStream: true });

export const HTTP_FUNCTIONS: readonly { name: string; options: ApiHttpFunction }[] = [
  { name: 'health', options: healthFunction },
  { name: 'publishPipeline', options: publishPipelineFunction },
  { name: 'listPipelines', options: listPipelinesFunction },
  { name: 'getPipeline', options: getPipelineFunction },
  { name: 'disablePipeline', options: disablePipelineFunction },
  { name: 'enablePipeline', options: enablePipelineFunction },
  { name: 'invokePipeline', options: invokePipelineFunction },
  { name: 'createEndpoint', options: createEndpointFunction },
  { name: 'listEndpoints', options: listEndpointsFunction },
  { name: 'getEndpoint', options: getEndpointFunction },
  { name: 'addEndpointVersion', options: addEndpointVersionFunction },
  { name: 'setEndpointDefault', options: setEndpointDefaultFunction },
  { name: 'invokeEndpoint', options: invokeEndpointFunction },
  { name: 'listRuns', options: listRunsFunction },
  { name: 'getRun', options: getRunFunction },
  { name: 'cancelRun', options: cancelRunFunction },
  { name: 'getRunMetrics', options: getRunMetricsFunction },
  { name: 'getStepLogs', options: getStepLogsFunction },
  { name: 'notFound', options: notFoundFunction },
];
