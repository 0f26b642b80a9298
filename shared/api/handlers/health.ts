import { json, type ApiHandler } from '../types';

/**
 * The one route that answers without credentials: liveness, and who snapshots step sources at
 * publish (`snapshots`: 'server' or 'client'; see `SnapshotMode`), which publishers read before
 * they publish a definition with source folders. Nothing else about the deployment.
 */
export const health: ApiHandler = async ({ services }) => json(200, { status: 'ok', snapshots: services.snapshots.mode });
