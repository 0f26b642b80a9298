import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** GET /api/pipelines/{id} — one published pipeline with its frozen definition. */
export const getPipelineFunction = httpFunction(API_ROUTES.getPipeline);
app.http(API_ROUTES.getPipeline.name, getPipelineFunction);
