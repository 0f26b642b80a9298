import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** GET /api/pipelines — published pipelines, newest first (?name, ?status, paged). */
export const listPipelinesFunction = httpFunction(API_ROUTES.listPipelines);
app.http(API_ROUTES.listPipelines.name, listPipelinesFunction);
