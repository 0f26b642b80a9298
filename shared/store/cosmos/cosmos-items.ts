/**
 * Item operations every Cosmos DB store needs: reads that see a missing item as undefined, replaces
 * conditioned on the ETag read (optimistic concurrency), ids checked against Cosmos's rules, and
 * the system properties Cosmos adds stripped before a document becomes a record again.
 */
import type { Container } from '@azure/cosmos';
import { ValidationError } from '../../errors';
import { NOT_FOUND, PRECONDITION_FAILED, statusOf } from './cosmos-errors';

export type CosmosSystem = { _rid?: string; _self?: string; _etag?: string; _attachments?: string; _ts?: number };

export function stripSystem<T extends CosmosSystem>(doc: T): Omit<T, keyof CosmosSystem> {
  const { _rid, _self, _etag, _attachments, _ts, ...rest } = doc;
  return rest;
}

/** Cosmos ids cannot hold / \ ? # and are at most 255 characters. */
export function isCosmosId(value: string): boolean {
  return /^[^/\\?#]{1,255}$/.test(value);
}

/** `value` as an id, checked rather than trusted. */
export function cosmosId(value: string, what: string, target: string): string {
  if (!isCosmosId(value)) throw new ValidationError(`${what} ${JSON.stringify(value)} cannot be stored (no / \\ ? #, at most 255 characters)`, target);
  return value;
}

export async function readWithEtag<T extends object>(container: Container, id: string, partitionKey: string): Promise<{ doc: T; etag: string } | undefined> {
  try {
    const { resource, etag } = await container.item(id, partitionKey).read<T>();
    return resource ? { doc: resource, etag } : undefined;
  } catch (err) {
    if (statusOf(err) === NOT_FOUND) return undefined;
    throw err;
  }
}

export async function readItem<T extends object>(container: Container, id: string, partitionKey: string): Promise<T | undefined> {
  return (await readWithEtag<T>(container, id, partitionKey))?.doc;
}

/** Replaces a document only if it still has `etag`; otherwise throws what `lost()` builds. */
export async function replaceIfMatch<T extends object>(
  container: Container,
  id: string,
  partitionKey: string,
  doc: T,
  etag: string,
  lost: () => Promise<Error>,
): Promise<T> {
  try {
    return (await container.item(id, partitionKey).replace<T>(doc, { accessCondition: { type: 'IfMatch', condition: etag } })).resource!;
  } catch (err) {
    if (statusOf(err) === PRECONDITION_FAILED) throw await lost();
    throw err;
  }
}
