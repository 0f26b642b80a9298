import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** GET /api/runs/{id} — a run with its steps. */
export const getRunFunction = httpFunction(API_ROUTES.getRun);
app.http(API_ROUTES.getRun.name, getRunFunction);
