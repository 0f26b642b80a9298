/** Small pieces every handler uses: links origin, paging parameters, list bodies, the Idempotency-Key header. */
import { ValidationError } from '../../errors';
import type { Page } from '../../store/run-store';
import type { ApiCall, ApiRequest } from '../types';

export function origin(req: ApiRequest): string {
  return req.url.origin;
}

/** `limit` and `continuationToken` from a query object (already checked for unknown names). */
export function pageParams(query: Record<string, string>): { limit?: number; continuationToken?: string } {
  const out: { limit?: number; continuationToken?: string } = {};
  if (query['limit'] !== undefined) {
    if (!/^\d{1,4}$/.test(query['limit'])) throw new ValidationError(`limit must be a whole number from 1 to 500 (got ${JSON.stringify(query['limit'])})`, 'limit');
    out.limit = Number(query['limit']);
  }
  if (query['continuationToken'] !== undefined) out.continuationToken = query['continuationToken'];
  return out;
}

/** `{ value, continuationToken?, nextLink? }`: the next page's URL keeps every filter of this one. */
export function listBody<T, V>(req: ApiRequest, page: Page<T>, view: (item: T) => V) {
  if (!page.continuationToken) return { value: page.items.map(view) };
  const next = new URL(req.url);
  next.searchParams.set('continuationToken', page.continuationToken);
  return { value: page.items.map(view), continuationToken: page.continuationToken, nextLink: next.toString() };
}

const KEY_SHAPE = /^[\x21-\x7e]{1,255}$/;

/** The Idempotency-Key header, checked: 1-255 visible ASCII characters. */
export function idempotencyKey(req: ApiRequest): string | undefined {
  const key = req.header('idempotency-key');
  if (key === undefined) return undefined;
  if (!KEY_SHAPE.test(key)) throw new ValidationError('Idempotency-Key must be 1-255 visible ASCII characters (e.g. a UUID)', 'Idempotency-Key');
  return key;
}

/** A route parameter (always present when the route matched). */
export function param(req: ApiRequest, name: string): string {
  const value = req.params[name];
  if (value === undefined || value === '') throw new ValidationError(`missing ${name} in the URL`, name);
  return value;
}

/** `given` if it is one of `allowed`, undefined if not given, else a ValidationError listing them. */
export function oneOf<T extends string>(allowed: readonly T[], given: string | undefined, target: string): T | undefined {
  if (given === undefined) return undefined;
  const found = allowed.find((a) => a === given);
  if (found === undefined) throw new ValidationError(`${target} must be one of ${allowed.join(', ')} (got ${JSON.stringify(given)})`, target);
  return found;
}

/** An audit line in the server log for a change (publish, disable, endpoint edits, cancel): what, and who — never a credential. */
export function audit(call: ApiCall, action: string, fields: Record<string, unknown>): void {
  const who = call.principal;
  const by = !who ? 'anonymous' : who.kind === 'apiKey' ? 'api key' : `entra:${who.subject}${who.appId ? ` via app ${who.appId}` : ''}`;
  call.services.log.info(action, { ...fields, by });
}
