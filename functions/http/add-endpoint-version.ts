import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** POST /api/endpoints/{name}/versions — add a published pipeline as a version. */
export const addEndpointVersionFunction = httpFunction(API_ROUTES.addEndpointVersion);
app.http(API_ROUTES.addEndpointVersion.name, addEndpointVersionFunction);
