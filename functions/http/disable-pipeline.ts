import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** POST /api/pipelines/{id}/disable — invocations are refused (409) until enabled. */
export const disablePipelineFunction = httpFunction(API_ROUTES.disablePipeline);
app.http(API_ROUTES.disablePipeline.name, disablePipelineFunction);
