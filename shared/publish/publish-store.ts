import type { Page } from '../store/run-store';
import type {
  EndpointPatch,
  IdempotencyRecord,
  NewPipelineEndpoint,
  NewPublishedPipeline,
  PipelineEndpointRecord,
  PublishedPipelineRecord,
  PublishedPipelineStatus,
} from './records';

export interface PipelineFilter {
  name?: string;
  status?: PublishedPipelineStatus;
  /** Opaque token from a previous page. */
  continuationToken?: string;
  /** Page size, 1..500 (default 50). */
  limit?: number;
}

export interface EndpointFilter {
  continuationToken?: string;
  limit?: number;
}

export interface IdempotencyClaim {
  /** True when this call stored the claim; false when an unexpired claim was already there. */
  claimed: boolean;
  /** The claim in force: this call's, or the earlier one. */
  record: IdempotencyRecord;
}

/**
 * The publish-store contract: published pipelines, pipeline endpoints and idempotency claims.
 * SQLite implements it locally (`./sqlite`), Cosmos DB in Azure (`./cosmos`, layout described
 * there); both pass the same suite, `test/publish/publish-store-contract.ts`.
 */
export interface PublishStore {
  /**
   * Stores a published pipeline. Without `version`, the next whole number for the name is
   * assigned atomically (1 for a new name). ConflictError when the name already has that version
   * or the id exists.
   */
  createPipeline(pipeline: NewPublishedPipeline): Promise<PublishedPipelineRecord>;
  getPipeline(id: string): Promise<PublishedPipelineRecord | undefined>;
  /** Newest first. */
  listPipelines(filter?: PipelineFilter): Promise<Page<PublishedPipelineRecord>>;
  /** Sets the status (idempotent); undefined when there is no such pipeline. */
  setPipelineStatus(id: string, status: PublishedPipelineStatus, at: string): Promise<PublishedPipelineRecord | undefined>;
  /**
   * Removes a pipeline and frees its version of the name; false when there was none. Only for
   * undoing a publish that failed after storing it (no endpoint names it yet): published
   * pipelines are otherwise disabled, never deleted.
   */
  deletePipeline(id: string): Promise<boolean>;

  /** ConflictError when an endpoint of that name exists. */
  createEndpoint(endpoint: NewPipelineEndpoint): Promise<PipelineEndpointRecord>;
  getEndpoint(name: string): Promise<PipelineEndpointRecord | undefined>;
  /** By name. */
  listEndpoints(filter?: EndpointFilter): Promise<Page<PipelineEndpointRecord>>;
  /**
   * Applies `patch` if the stored revision equals `expectedRevision`: ConflictError when it moved
   * (re-read and retry), NotFoundError when the endpoint does not exist.
   */
  updateEndpoint(name: string, expectedRevision: number, patch: EndpointPatch, at: string): Promise<PipelineEndpointRecord>;

  /** The unexpired claim of `key` on `scope` at time `now`, if any. */
  getIdempotency(scope: string, key: string, now: string): Promise<IdempotencyRecord | undefined>;
  /**
   * Atomically stores `claim` unless an unexpired claim of the same scope and key exists (an
   * expired one is replaced). Of any number of concurrent calls with one scope and key, exactly
   * one gets `claimed: true`; all see the same record.
   */
  claimIdempotency(claim: IdempotencyRecord): Promise<IdempotencyClaim>;
  /** Drops a claim whose submission failed before its run existed (only if it still names `runId`). */
  releaseIdempotency(scope: string, key: string, runId: string): Promise<void>;
  /** Deletes claims expired at `now`; returns how many. */
  purgeExpiredIdempotency(now: string): Promise<number>;

  close(): Promise<void>;
}
