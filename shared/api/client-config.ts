/**
 * Where a client (CLI, SDK) finds Tributary and its credential: an explicit URL, else
 * TRIBUTARY_URL, else the host serving the workspace (its lock file names it), else
 * http://127.0.0.1:7071; the bearer credential from TRIBUTARY_TOKEN (an Entra ID access token),
 * else TRIBUTARY_API_KEY, else the workspace's key file.
 */
import { ValidationError } from '../errors';
import type { Workspace } from '../workspace/workspace';
import { API_KEY_ENV, readKeyFile } from './auth/api-key';
import { ApiClient, displayUrl } from './client';

export const DEFAULT_URL = 'http://127.0.0.1:7071';

export interface ClientConfig {
  url?: string;
  token?: string;
  env?: NodeJS.ProcessEnv;
  /** The URL of the host serving the workspace, when one runs (see host/host-lock.ts). */
  servingUrl?: (workspace: Workspace) => string | undefined;
}

export function apiClientFor(workspace: Workspace, config: ClientConfig = {}): ApiClient {
  const env = config.env ?? process.env;
  const url = config.url ?? nonEmpty(env['TRIBUTARY_URL']) ?? config.servingUrl?.(workspace) ?? DEFAULT_URL;
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new ValidationError(`${JSON.stringify(displayUrl(url))} is not an http(s) URL`, 'url');
  const token = config.token ?? nonEmpty(env['TRIBUTARY_TOKEN']) ?? nonEmpty(env[API_KEY_ENV]) ?? readKeyFile(workspace.apiKeyFile);
  return new ApiClient({ url, ...(token !== undefined ? { token } : {}) });
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
