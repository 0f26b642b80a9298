import { z } from 'zod';
import { ApiClient } from '../../shared/api/client';
import { apiClientFor } from '../../shared/api/client-config';
import { servingUrl } from '../../host/host-lock';
import { parseOptions } from '../validate';
import type { Workspace } from '../workspace';

/**
 * Where the SDK's publishing calls go. Publishing is a service feature, as in Azure ML: it talks
 * to a Tributary HTTP API, by default the host serving the workspace (`tributary serve`), else
 * TRIBUTARY_URL or http://127.0.0.1:7071, with the workspace's API key (or TRIBUTARY_API_KEY /
 * TRIBUTARY_TOKEN).
 */
export interface ServiceOptions {
  /** Base URL of a Tributary, e.g. `http://127.0.0.1:7071` or an Azure Function App URL. */
  url?: string;
  /** The local API key or an Entra ID access token. */
  apiKey?: string;
  /**
   * The datastore step sources are uploaded to when the service cannot read this machine's
   * folders (an Azure Function App); default `workspaceblobstore`. Register it against the
   * storage account the service uses.
   */
  datastore?: string;
}

export const serviceSchema = z.strictObject({ url: z.url().optional(), apiKey: z.string().min(1).optional(), datastore: z.string().min(1).optional() }).optional();

export function serviceClient(workspace: Workspace, service: ServiceOptions | undefined, target: string): ApiClient {
  const o = parseOptions(z.strictObject({ service: serviceSchema }), { service }, target).service ?? {};
  return apiClientFor(workspace.location, { ...(o.url ? { url: o.url } : {}), ...(o.apiKey ? { token: o.apiKey } : {}), servingUrl });
}
