import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** PUT /api/endpoints/{name}/default — choose the version invocations run. */
export const setEndpointDefaultFunction = httpFunction(API_ROUTES.setEndpointDefault);
app.http(API_ROUTES.setEndpointDefault.name, setEndpointDefaultFunction);
