/**
 * Publish records ↔ Cosmos documents. A document is its record plus the `id` Cosmos needs (and a
 * claim's `ttl`); reading strips what Cosmos and this mapping added, so a record round-trips
 * exactly (an absent optional field stays absent).
 */
import { createHash } from 'node:crypto';
import { ValidationError } from '../../errors';
import { cosmosId, stripSystem, type CosmosSystem } from '../../store/cosmos/cosmos-items';
import type { IdempotencyRecord, PipelineEndpointRecord, PublishedPipelineRecord } from '../records';

export type PipelineDoc = PublishedPipelineRecord & CosmosSystem;
/** Holds `version` of `name` for one pipeline: its creation is what makes the version unique. */
export type VersionDoc = { id: string; name: string; pipelineId: string; claimedAt: string } & CosmosSystem;
export type EndpointDoc = PipelineEndpointRecord & { id: string } & CosmosSystem;
export type ClaimDoc = IdempotencyRecord & { id: string; ttl: number } & CosmosSystem;

/** Cosmos deletes a claim this long after it expired (until then it is kept, and ignored as expired). */
const TTL_SLACK_SECONDS = 3600;

export function pipelineDocId(id: string): string {
  return cosmosId(id, 'published pipeline id', 'id');
}

export function docToPipeline(doc: PipelineDoc): PublishedPipelineRecord {
  return stripSystem(doc);
}

export function versionDoc(pipeline: PublishedPipelineRecord): VersionDoc {
  return { id: cosmosId(pipeline.version, 'version', 'version'), name: pipeline.name, pipelineId: pipeline.id, claimedAt: pipeline.createdAt };
}

export function endpointToDoc(endpoint: PipelineEndpointRecord): EndpointDoc {
  return { ...endpoint, id: cosmosId(endpoint.name, 'pipeline endpoint name', 'name') };
}

export function docToEndpoint(doc: EndpointDoc): PipelineEndpointRecord {
  const { id: _id, ...record } = stripSystem(doc);
  return record;
}

/** Claims are spread over partitions by a hash of scope and key (keys are arbitrary header text). */
export function claimDocId(scope: string, key: string): string {
  return createHash('sha256').update(JSON.stringify([scope, key])).digest('hex');
}

export function claimToDoc(claim: IdempotencyRecord): ClaimDoc {
  const lifetimeMs = Date.parse(claim.expiresAt) - Date.parse(claim.createdAt);
  if (!Number.isFinite(lifetimeMs)) throw new ValidationError(`idempotency claim ${claim.scope}/${claim.key}: createdAt and expiresAt must be ISO timestamps`, 'expiresAt');
  return { ...claim, id: claimDocId(claim.scope, claim.key), ttl: Math.max(0, Math.ceil(lifetimeMs / 1000)) + TTL_SLACK_SECONDS };
}

export function docToClaim(doc: ClaimDoc): IdempotencyRecord {
  const { id: _id, ttl: _ttl, ...record } = stripSystem(doc);
  return record;
}
