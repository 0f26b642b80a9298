/**
 * The HTTP API's own request and response shapes, free of any framework: the Azure Functions
 * registrations (`functions/http/`) and the local host (`host/`) both adapt to these, so one set
 * of handlers serves both.
 */
import type { ApiServices } from './services';

export interface ApiRequest {
  method: string;
  /** The URL as the client addressed it; its origin is used for links in responses. */
  url: URL;
  /** Values of the route template's `{name}` segments. */
  params: Readonly<Record<string, string>>;
  /** A request header (case-insensitive), or undefined. */
  header(name: string): string | undefined;
  /** The body, unread: handlers read it with `readJsonBody`, which enforces the size limit. */
  body: AsyncIterable<Uint8Array> | null;
}

export interface ApiResponse {
  status: number;
  headers?: Record<string, string>;
  /** A JSON body. */
  json?: unknown;
  /** A streamed body (chunked); ends when the iterable ends. */
  stream?: AsyncIterable<Uint8Array>;
}

/** Who is calling, once authenticated. Never holds the credential itself. */
export type Principal =
  | { kind: 'apiKey' }
  | { kind: 'entra'; subject: string; tenantId?: string; appId?: string };

export interface ApiCall {
  req: ApiRequest;
  services: ApiServices;
  /** Undefined only on the public routes (health). */
  principal?: Principal;
}

export type ApiHandler = (call: ApiCall) => Promise<ApiResponse>;

export function json(status: number, body: unknown, headers?: Record<string, string>): ApiResponse {
  return { status, json: body, ...(headers ? { headers } : {}) };
}
