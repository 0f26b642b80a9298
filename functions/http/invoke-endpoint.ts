import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** POST /api/endpoints/{name}/runs — start a run of the default (or PipelineVersion) version. */
export const invokeEndpointFunction = httpFunction(API_ROUTES.invokeEndpoint);
app.http(API_ROUTES.invokeEndpoint.name, invokeEndpointFunction);
