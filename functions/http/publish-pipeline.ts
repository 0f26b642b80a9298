import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** POST /api/pipelines — publish a compiled pipeline definition (or a run's) under a name and version. */
export const publishPipelineFunction = httpFunction(API_ROUTES.publishPipeline);
app.http(API_ROUTES.publishPipeline.name, publishPipelineFunction);
