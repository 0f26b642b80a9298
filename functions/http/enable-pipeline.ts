import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** POST /api/pipelines/{id}/enable — accept invocations again. */
export const enablePipelineFunction = httpFunction(API_ROUTES.enablePipeline);
app.http(API_ROUTES.enablePipeline.name, enablePipelineFunction);
