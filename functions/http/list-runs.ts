import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** GET /api/runs — runs, newest first (?experiment, ?pipeline, ?pipelineId, ?status, paged). */
export const listRunsFunction = httpFunction(API_ROUTES.listRuns);
app.http(API_ROUTES.listRuns.name, listRunsFunction);
