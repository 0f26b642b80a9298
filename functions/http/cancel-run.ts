import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** POST /api/runs/{id}/cancel — ask a run to stop. */
export const cancelRunFunction = httpFunction(API_ROUTES.cancelRun);
app.http(API_ROUTES.cancelRun.name, cancelRunFunction);
