/**
 * What publishing stores: frozen pipeline definitions behind REST endpoints, versioned pipeline
 * endpoints over them, and the Idempotency-Key claims of endpoint invocations.
 */
import type { PipelineDefinition } from '../model/definition';

/** Azure ML's published-pipeline states: a disabled pipeline starts no runs. */
export type PublishedPipelineStatus = 'Active' | 'Disabled';
export const PUBLISHED_PIPELINE_STATUSES: readonly PublishedPipelineStatus[] = ['Active', 'Disabled'];

export interface PublishedPipelineRecord {
  /** Readable and unique: `<name>-<10 hex>`; the invoke URL is `/api/pipelines/<id>/runs`. */
  id: string;
  name: string;
  /** Unique per name; assigned as the next whole number when the publisher gives none. */
  version: string;
  description?: string;
  status: PublishedPipelineStatus;
  /** The definition as published: input defaults are frozen here, whatever the source says later. */
  definition: PipelineDefinition;
  /**
   * Step name → snapshot id of its source folder, taken when it was published: every invocation
   * runs this code, whatever happens to the folder later.
   */
  snapshots?: Record<string, string>;
  /** The run it was published from (`run.publishPipeline()`), if any. */
  sourceRunId?: string;
  createdAt: string;
  updatedAt: string;
}

export type NewPublishedPipeline = Omit<PublishedPipelineRecord, 'version' | 'updatedAt'> & { version?: string };

/** One version of a pipeline endpoint: the version string of the published pipeline it serves. */
export interface EndpointVersion {
  version: string;
  pipelineId: string;
  addedAt: string;
}

/** Azure ML's PipelineEndpoint: a stable name over several published pipelines, one the default. */
export interface PipelineEndpointRecord {
  name: string;
  description?: string;
  defaultVersion: string;
  /** In the order they were added. */
  versions: EndpointVersion[];
  createdAt: string;
  updatedAt: string;
  /** Optimistic-concurrency token; changes on every update. */
  revision: number;
}

export type NewPipelineEndpoint = Omit<PipelineEndpointRecord, 'revision' | 'updatedAt'>;
export type EndpointPatch = Partial<Pick<PipelineEndpointRecord, 'description' | 'defaultVersion' | 'versions'>>;

/**
 * An Idempotency-Key claim: the first request with `key` on `scope` (one published pipeline or one
 * endpoint) chose `runId`; later requests with the same key get that run until `expiresAt`.
 */
export interface IdempotencyRecord {
  scope: string;
  key: string;
  runId: string;
  /** Hash of what decides the run (experiment, parameters, version): a reused key with another request is refused. */
  requestHash: string;
  createdAt: string;
  expiresAt: string;
}
