import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** POST /api/pipelines/{id}/runs — the published pipeline's endpoint: start a run (202, Id). */
export const invokePipelineFunction = httpFunction(API_ROUTES.invokePipeline);
app.http(API_ROUTES.invokePipeline.name, invokePipelineFunction);
