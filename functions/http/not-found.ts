import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** Everything else under /api: a JSON 404 (lowest route precedence). */
export const notFoundFunction = httpFunction(API_ROUTES.notFound);
app.http(API_ROUTES.notFound.name, notFoundFunction);
