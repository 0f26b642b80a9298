import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** GET /api/health — liveness; the only route that answers without credentials. */
export const healthFunction = httpFunction(API_ROUTES.health);
app.http(API_ROUTES.health.name, healthFunction);
