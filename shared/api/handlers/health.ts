import { json, type ApiHandler } from '../types';

/** The one route that answers without credentials; says nothing about the deployment. */
export const health: ApiHandler = async () => json(200, { status: 'ok' });
