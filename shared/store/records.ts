import type { PipelineDefinition, ScalarValue } from '../model/definition';

/** Run and step statuses, named as in Azure ML (`CancelRequested` is a run asked to stop). */
export type RunStatus = 'NotStarted' | 'Queued' | 'Running' | 'CancelRequested' | 'Completed' | 'Failed' | 'Canceled';
export const TERMINAL_STATUSES: readonly RunStatus[] = ['Completed', 'Failed', 'Canceled'];
export function isTerminal(status: RunStatus): boolean {
  return TERMINAL_STATUSES.includes(status);
}

export interface GitInfo {
  commit: string;
  branch?: string;
  dirty: boolean;
  /** Remote URL with any credentials removed. */
  remoteUrl?: string;
}

export interface RunRecord {
  id: string;
  experiment: string;
  pipelineName: string;
  /** Published pipeline id when started through an endpoint. */
  publishedPipelineId?: string;
  status: RunStatus;
  /** Why the run ended as it did (first failing step, cancel request, ...). */
  statusReason?: string;
  definition: PipelineDefinition;
  /** Resolved pipeline input values (defaults applied, overrides validated). */
  parameters: Record<string, ScalarValue>;
  /** Submission options that change behaviour (e.g. regenerate outputs). */
  options: RunOptions;
  git?: GitInfo;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  /** Who drives the run: local worker pid and heartbeat, or the Durable instance id. */
  driver?: DriverLease;
  /** Optimistic-concurrency token; changes on every update. */
  version: number;
}

export interface RunOptions {
  regenerateOutputs: boolean;
  /** Compute names mapped onto another target at submit (`--compute azureml:gpu=local`). */
  computeMap: Record<string, string>;
  /** Where the run was submitted from (`cli`, `sdk`, `endpoint`, `schedule`, `blob`). */
  source: string;
  /** Step name → snapshot id of its source folder, taken at submission (what the step runs). */
  snapshots?: Record<string, string>;
}

export interface DriverLease {
  kind: 'local' | 'durable';
  /** Local: worker pid. */
  pid?: number;
  /** Local: host name, so a lease from another machine is never judged by pid. */
  host?: string;
  /** Durable: orchestration instance id. */
  instanceId?: string;
  heartbeatAt: string;
}

export interface OutputRecord {
  /** Where the output lives: `azureml://datastores/<ds>/paths/<path>` or a local path. */
  uri: string;
  /** Content fingerprint of the output (hash over file names, sizes and content hashes). */
  fingerprint?: string;
}

export interface StepRunRecord {
  runId: string;
  step: string;
  status: RunStatus;
  statusReason?: string;
  attempt: number;
  compute: string;
  /** Compute-specific handle of the submitted work (pid, Batch task id, Databricks run id). */
  handle?: string;
  exitCode?: number;
  queuedAt?: string;
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  reused: boolean;
  reusedFrom?: { runId: string; step: string };
  reuseKey?: string;
  /** The rendered command line as run (secrets never appear here: parameters are not secrets). */
  command?: string;
  outputs: Record<string, OutputRecord>;
  version: number;
}

export interface MetricRecord {
  runId: string;
  step: string;
  name: string;
  value: number | string;
  /** Optional step/epoch index for series. */
  index?: number;
  loggedAt: string;
}

export interface ExperimentRecord {
  name: string;
  createdAt: string;
  runCount: number;
}

/** A reuse-index entry: the step run whose outputs any later step with the same key may take. */
export interface ReuseRecord {
  key: string;
  pipelineName: string;
  runId: string;
  step: string;
  outputs: Record<string, OutputRecord>;
  /** Details of what went into the key, for `tributary explain`. */
  manifest: unknown;
  createdAt: string;
}
