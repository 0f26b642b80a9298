/**
 * Blob service REST requests sent without the SDK's pipeline, for what a run does by the thousand:
 * listing a run's outputs and writing small blobs. The SDK spends about 0.45 ms of CPU on each
 * request (client objects, policies, tracing, header and XML mapping) — as much as a local Azurite
 * takes to serve it. Requests are signed with the container client's own credential (its shared
 * key, or the SAS in its URL) as the REST API defines it, and retried like the SDK's pipeline is
 * set up (`blob-clients.ts`). A container reached with a Microsoft Entra token is not served here:
 * callers use the SDK for it (`sendsDirectly`).
 */
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { AnonymousCredential, RestError, StorageSharedKeyCredential, type ContainerClient } from '@azure/storage-blob';

export interface BlobRequest {
  method: 'GET' | 'PUT';
  /** A blob's name; omitted for a container operation. */
  blob?: string;
  query?: Record<string, string>;
  /** `x-ms-*` headers. */
  headers?: Record<string, string>;
  body?: Buffer;
  signal?: AbortSignal;
}

/** Long generally available; what these requests use has kept its shape since. */
const API_VERSION = '2021-12-02';
const TRIES = 4;
const RETRY_DELAY_MS = 200;
const MAX_RETRY_DELAY_MS = 2_000;
const RETRIED_STATUS = new Set([408, 429, 500, 502, 503, 504]);
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

/** True when the container's credential lets requests be sent here (shared key or SAS). */
export function sendsDirectly(container: ContainerClient): boolean {
  return container.credential instanceof StorageSharedKeyCredential || container.credential instanceof AnonymousCredential;
}

/** The response body of a successful (2xx) request; a failure is a `RestError` with the status, as the SDK throws. */
export async function sendBlobRequest(container: ContainerClient, request: BlobRequest): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send(container, request);
    } catch (err) {
      const status = err instanceof RestError ? err.statusCode : undefined;
      if (attempt >= TRIES || request.signal?.aborted || (status !== undefined && !RETRIED_STATUS.has(status))) throw err;
      await sleep(Math.min(RETRY_DELAY_MS * 2 ** (attempt - 1), MAX_RETRY_DELAY_MS));
    }
  }
}

/** `&lt;`-style entities of XML text. */
export function decodeXml(text: string): string {
  return text.replace(/&(#x[0-9a-fA-F]+|#\d+|\w+);/g, (whole, entity: string) => {
    if (entity.startsWith('#x')) return String.fromCodePoint(parseInt(entity.slice(2), 16));
    if (entity.startsWith('#')) return String.fromCodePoint(Number(entity.slice(1)));
    return ENTITIES[entity] ?? whole;
  });
}

const ENTITIES: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function send(container: ContainerClient, request: BlobRequest): Promise<string> {
  const base = new URL(container.url);
  const url = new URL(request.blob ? `${base.origin}${base.pathname}/${request.blob.split('/').map(encodeURIComponent).join('/')}` : `${base.origin}${base.pathname}`);
  const query = request.query ?? {};
  url.search = [base.search.slice(1), ...Object.entries(query).map(([key, value]) => `${key}=${encodeURIComponent(value)}`)].filter(Boolean).join('&');
  const length = request.body?.length ?? 0;
  const headers: Record<string, string> = { ...request.headers, 'x-ms-date': new Date().toUTCString(), 'x-ms-version': API_VERSION };
  const { credential } = container;
  if (credential instanceof StorageSharedKeyCredential) headers.authorization = sharedKey(credential, request.method, length, url.pathname, query, headers);
  if (request.method === 'PUT') headers['content-length'] = String(length);
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = (secure ? https : http).request(url, { method: request.method, headers, agent: secure ? agents.https : agents.http, signal: request.signal }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        const status = response.statusCode ?? 0;
        if (status >= 200 && status < 300) return resolve(body);
        const message = decodeXml(/<Message>([^<]*)<\/Message>/.exec(body)?.[1] ?? `${request.method} answered ${status}`);
        reject(new RestError(message, { statusCode: status, code: String(response.headers['x-ms-error-code'] ?? '') }));
      });
    });
    req.on('error', reject);
    req.end(request.body);
  });
}

/** `Authorization` with Shared Key, as the Blob service REST API defines it (no conditional or content headers but the length). */
function sharedKey(credential: StorageSharedKeyCredential, method: string, length: number, path: string, query: Record<string, string>, headers: Record<string, string>): string {
  const standard = ['', '', length > 0 ? String(length) : '', '', '', '', '', '', '', '', ''];
  const canonicalHeaders = Object.keys(headers)
    .filter((name) => name.startsWith('x-ms-'))
    .sort()
    .map((name) => `${name}:${headers[name]}\n`)
    .join('');
  const canonicalQuery = Object.keys(query)
    .sort()
    .map((key) => `\n${key}:${query[key]}`)
    .join('');
  const stringToSign = `${method}\n${standard.join('\n')}\n${canonicalHeaders}/${credential.accountName}${path}${canonicalQuery}`;
  return `SharedKey ${credential.accountName}:${credential.computeHMACSHA256(stringToSign)}`;
}
