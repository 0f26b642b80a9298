/** The CLI's client of a local or remote Tributary API: `--url`, credentials from the environment or the workspace. */
import { ApiClient } from '../shared/api/client';
import { apiClientFor } from '../shared/api/client-config';
import { resolveWorkspace } from '../shared/workspace/workspace';
import { servingUrl } from '../host/host-lock';

export const API_OPTIONS = { url: { type: 'string' } } as const;

export function cliApiClient(values: { url?: string; workspace?: string }): ApiClient {
  return apiClientFor(resolveWorkspace(values.workspace), { ...(values.url !== undefined ? { url: values.url } : {}), servingUrl });
}
