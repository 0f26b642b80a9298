import type { ExperimentRecord, MetricRecord, ReuseRecord, RunRecord, RunStatus, StepRunRecord } from './records';

export interface RunFilter {
  experiment?: string;
  pipelineName?: string;
  publishedPipelineId?: string;
  status?: RunStatus;
  /** Opaque continuation token from a previous page. */
  continuationToken?: string;
  /** Page size, 1..500 (default 50). */
  limit?: number;
}

export interface Page<T> {
  items: T[];
  continuationToken?: string;
}

export type NewRun = Omit<RunRecord, 'version'>;
export type NewStepRun = Omit<StepRunRecord, 'version'>;

/**
 * The run-store contract. SQLite (local) and Cosmos DB (Azure) implement it; one contract test
 * suite runs against both.
 *
 * Updates that can race take the record's `version` and fail with ConflictError when it moved
 * (optimistic concurrency); callers re-read and retry.
 */
export interface RunStore {
  createRun(run: NewRun): Promise<RunRecord>;
  getRun(id: string): Promise<RunRecord | undefined>;
  /** Just the status of a run (cheap enough to poll while waiting for it); undefined when it does not exist. */
  getRunStatus(id: string): Promise<RunStatus | undefined>;
  listRuns(filter?: RunFilter): Promise<Page<RunRecord>>;
  /** Applies `patch` if the stored version equals `expectedVersion`; returns the new record. */
  updateRun(id: string, expectedVersion: number, patch: Partial<Omit<RunRecord, 'id' | 'version'>>): Promise<RunRecord>;

  /** Creates the step run or replaces it if `expectedVersion` matches (undefined = must not exist). */
  putStepRun(step: NewStepRun, expectedVersion?: number): Promise<StepRunRecord>;
  getStepRun(runId: string, step: string): Promise<StepRunRecord | undefined>;
  listStepRuns(runId: string): Promise<StepRunRecord[]>;

  addMetrics(metrics: MetricRecord[]): Promise<void>;
  listMetrics(runId: string, step?: string): Promise<MetricRecord[]>;

  listExperiments(): Promise<ExperimentRecord[]>;

  /** Point read of a reuse key. */
  getReuse(key: string): Promise<ReuseRecord | undefined>;
  /**
   * Records a reuse entry. First writer wins: when the key already exists, the stored record is
   * returned unchanged, so two runs racing on one key end with one consistent record. When it
   * inserts, it may return `record` itself.
   */
  putReuseIfAbsent(record: ReuseRecord): Promise<ReuseRecord>;
  /** Replaces an entry whose outputs were found missing (only if it still names `staleRunId`). */
  replaceReuse(record: ReuseRecord, staleRunId: string): Promise<void>;
  /** Earlier reuse entries of a step with the same name in the same pipeline, newest first (for `explain`). */
  listReuseForStep(pipelineName: string, step: string, limit: number): Promise<ReuseRecord[]>;

  close(): Promise<void>;
}
