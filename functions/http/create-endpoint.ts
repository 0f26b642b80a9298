import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** POST /api/endpoints — create a pipeline endpoint over a published pipeline. */
export const createEndpointFunction = httpFunction(API_ROUTES.createEndpoint);
app.http(API_ROUTES.createEndpoint.name, createEndpointFunction);
