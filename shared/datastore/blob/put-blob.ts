/**
 * A small blob written in one request (Put Blob) from bytes in memory: sent directly
 * (`blob-rest.ts`) where the container's credential allows — a step's output file and its
 * manifest are two such writes per step — else through the SDK.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { sendBlobRequest, sendsDirectly } from './blob-rest';

export interface PutBlobOptions {
  contentType?: string;
  metadata?: Record<string, string>;
  signal?: AbortSignal;
}

export async function putBlob(container: ContainerClient, name: string, body: Buffer, options: PutBlobOptions = {}): Promise<void> {
  const { contentType, metadata = {}, signal } = options;
  if (!sendsDirectly(container)) {
    await container.getBlockBlobClient(name).upload(body, body.length, { abortSignal: signal, metadata, ...(contentType ? { blobHTTPHeaders: { blobContentType: contentType } } : {}) });
    return;
  }
  const headers: Record<string, string> = { 'x-ms-blob-type': 'BlockBlob', ...(contentType ? { 'x-ms-blob-content-type': contentType } : {}) };
  for (const [key, value] of Object.entries(metadata)) headers[`x-ms-meta-${key}`] = value;
  await sendBlobRequest(container, { method: 'PUT', blob: name, headers, body, signal });
}
