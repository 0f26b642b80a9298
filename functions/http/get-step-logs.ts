import { app } from '@azure/functions';
import { API_ROUTES } from '../../shared/api/routes';
import { httpFunction } from './http-function';

/** GET /api/runs/{id}/steps/{step}/logs — stdout/stderr (?follow=true streams until the step ends). */
export const getStepLogsFunction = httpFunction(API_ROUTES.getStepLogs);
app.http(API_ROUTES.getStepLogs.name, getStepLogsFunction);
