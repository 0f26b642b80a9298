/**
 * Reading a JSON request body safely: JSON content type only (415), a size limit checked against
 * Content-Length before reading and while reading (413; reading stops at the limit), UTF-8 and
 * JSON syntax errors as 400s that say where.
 */
import { ValidationError } from '../errors';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from './http-errors';
import type { ApiRequest } from './types';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

export async function readJsonBody(req: ApiRequest, limitBytes: number): Promise<unknown> {
  const type = req.header('content-type');
  if (!type || !JSON_TYPE.test(type)) throw new UnsupportedMediaTypeError(type);
  const declared = req.header('content-length');
  if (declared !== undefined && Number(declared) > limitBytes) throw new PayloadTooLargeError(limitBytes);
  const bytes = await readLimited(req.body, limitBytes);
  if (bytes.length === 0) throw new ValidationError('the request body is empty: send a JSON object', 'body');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new ValidationError('the request body is not valid UTF-8', 'body');
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ValidationError(`the request body is not valid JSON: ${err instanceof Error ? err.message : String(err)}`, 'body');
  }
}

/** Reads a JSON body when one was sent; undefined for an empty body (routes whose body is optional). */
export async function readOptionalJsonBody(req: ApiRequest, limitBytes: number): Promise<unknown> {
  const length = req.header('content-length');
  if (!req.header('content-type') && (length === undefined || length === '0')) {
    const bytes = await readLimited(req.body, limitBytes);
    if (bytes.length === 0) return undefined;
    throw new UnsupportedMediaTypeError(undefined);
  }
  return readJsonBody(req, limitBytes);
}

/** The whole body, or PayloadTooLargeError as soon as more than `limitBytes` arrived (the rest is never read). */
async function readLimited(body: AsyncIterable<Uint8Array> | null, limitBytes: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.byteLength;
    if (total > limitBytes) throw new PayloadTooLargeError(limitBytes);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
