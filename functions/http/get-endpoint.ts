import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** GET /api/endpoints/{name} — one endpoint, its versions and default. */
export const getEndpointFunction = httpFunction(API_ROUTES.getEndpoint);
app.http(API_ROUTES.getEndpoint.name, getEndpointFunction);
