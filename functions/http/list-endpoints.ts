import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** GET /api/endpoints — pipeline endpoints by name (paged). */
export const listEndpointsFunction = httpFunction(API_ROUTES.listEndpoints);
app.http(API_ROUTES.listEndpoints.name, listEndpointsFunction);
