import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** GET /api/runs/{id}/metrics — metrics the steps logged (?step). */
export const getRunMetricsFunction = httpFunction(API_ROUTES.getRunMetrics);
app.http(API_ROUTES.getRunMetrics.name, getRunMetricsFunction);
