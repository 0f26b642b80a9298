import type {
  ExperimentRecord,
  MetricRecord,
  ReuseRecord,
  RunRecord,
  RunStatus,
  StepRunRecord,
} from '../records';
import type { PipelineDefinition } from '../../model/definition';
import type { Params, Row } from './connection';

/**
 * Mapping between records and table rows. Optional fields are NULL in a row and absent (never
 * `undefined`-valued) in a record, so what is read back deep-equals what was written.
 * JSON columns are the store's own output; they are parsed, not re-validated (the definition was
 * validated when the pipeline was compiled).
 */

const RUN_STATUSES: ReadonlySet<string> = new Set<RunStatus>(['NotStarted', 'Queued', 'Running', 'CancelRequested', 'Completed', 'Failed', 'Canceled']);

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`run store: column ${column} is ${value === null ? 'NULL' : typeof value}, expected text`);
  return value;
}

function optText(row: Row, column: string): string | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : text(row, column);
}

function num(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number') throw new Error(`run store: column ${column} is ${value === null ? 'NULL' : typeof value}, expected a number`);
  return value;
}

function optNum(row: Row, column: string): number | undefined {
  const value = row[column];
  return value === null || value === undefined ? undefined : num(row, column);
}

function isRunStatus(value: string): value is RunStatus {
  return RUN_STATUSES.has(value);
}

function status(row: Row): RunStatus {
  const value = text(row, 'status');
  if (!isRunStatus(value)) throw new Error(`run store: unknown status "${value}"`);
  return value;
}

function json<T>(row: Row, column: string): T {
  return JSON.parse(text(row, column)) as T;
}

function optJson<T>(row: Row, column: string): T | undefined {
  const value = optText(row, column);
  return value === undefined ? undefined : (JSON.parse(value) as T);
}

/** Copies the defined entries of `optional` onto `target`. */
function withOptional<T extends object>(target: T, optional: Partial<T>): T {
  for (const [key, value] of Object.entries(optional)) {
    if (value !== undefined) (target as Record<string, unknown>)[key] = value;
  }
  return target;
}

const toJson = (value: unknown): string | null => (value === undefined ? null : JSON.stringify(value));
const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value);

// ---- runs ----

/** The `runs` row of a run; its definition goes to `run_definitions`. */
export function runFieldsToRow(run: Omit<RunRecord, 'version' | 'definition'>, version: number): Params {
  return {
    id: run.id,
    experiment: run.experiment,
    pipeline_name: run.pipelineName,
    published_pipeline_id: orNull(run.publishedPipelineId),
    status: run.status,
    status_reason: orNull(run.statusReason),
    parameters: JSON.stringify(run.parameters),
    options: JSON.stringify(run.options),
    git: toJson(run.git),
    created_at: run.createdAt,
    started_at: orNull(run.startedAt),
    ended_at: orNull(run.endedAt),
    driver: toJson(run.driver),
    version,
  };
}

export function rowToRun(row: Row, definition: PipelineDefinition): RunRecord {
  return withOptional<RunRecord>(
    {
      id: text(row, 'id'),
      experiment: text(row, 'experiment'),
      pipelineName: text(row, 'pipeline_name'),
      status: status(row),
      definition,
      parameters: json(row, 'parameters'),
      options: json(row, 'options'),
      createdAt: text(row, 'created_at'),
      version: num(row, 'version'),
    },
    {
      publishedPipelineId: optText(row, 'published_pipeline_id'),
      statusReason: optText(row, 'status_reason'),
      git: optJson(row, 'git'),
      startedAt: optText(row, 'started_at'),
      endedAt: optText(row, 'ended_at'),
      driver: optJson(row, 'driver'),
    },
  );
}

// ---- step runs ----

export function stepRunToRow(step: Omit<StepRunRecord, 'version'>, version: number): Params {
  return {
    run_id: step.runId,
    step: step.step,
    status: step.status,
    status_reason: orNull(step.statusReason),
    attempt: step.attempt,
    compute: step.compute,
    handle: orNull(step.handle),
    exit_code: orNull(step.exitCode),
    queued_at: orNull(step.queuedAt),
    started_at: orNull(step.startedAt),
    ended_at: orNull(step.endedAt),
    duration_ms: orNull(step.durationMs),
    reused: step.reused ? 1 : 0,
    reused_from: toJson(step.reusedFrom),
    reuse_key: orNull(step.reuseKey),
    command: orNull(step.command),
    outputs: JSON.stringify(step.outputs),
    version,
  };
}

export function rowToStepRun(row: Row): StepRunRecord {
  return withOptional<StepRunRecord>(
    {
      runId: text(row, 'run_id'),
      step: text(row, 'step'),
      status: status(row),
      attempt: num(row, 'attempt'),
      compute: text(row, 'compute'),
      reused: num(row, 'reused') !== 0,
      outputs: json(row, 'outputs'),
      version: num(row, 'version'),
    },
    {
      statusReason: optText(row, 'status_reason'),
      handle: optText(row, 'handle'),
      exitCode: optNum(row, 'exit_code'),
      queuedAt: optText(row, 'queued_at'),
      startedAt: optText(row, 'started_at'),
      endedAt: optText(row, 'ended_at'),
      durationMs: optNum(row, 'duration_ms'),
      reusedFrom: optJson(row, 'reused_from'),
      reuseKey: optText(row, 'reuse_key'),
      command: optText(row, 'command'),
    },
  );
}

// ---- metrics ----

export function metricToRow(metric: MetricRecord): Params {
  return {
    run_id: metric.runId,
    step: metric.step,
    name: metric.name,
    // SQLite has no NaN (it binds as NULL); a metric value is never NULL otherwise, so NULL means NaN.
    value: typeof metric.value === 'number' && Number.isNaN(metric.value) ? null : metric.value,
    idx: orNull(metric.index),
    logged_at: metric.loggedAt,
  };
}

export function rowToMetric(row: Row): MetricRecord {
  const raw = row['value'];
  const value = raw === null || raw === undefined ? Number.NaN : typeof raw === 'string' ? raw : num(row, 'value');
  return withOptional<MetricRecord>(
    { runId: text(row, 'run_id'), step: text(row, 'step'), name: text(row, 'name'), value, loggedAt: text(row, 'logged_at') },
    { index: optNum(row, 'idx') },
  );
}

// ---- experiments and reuse ----

export function rowToExperiment(row: Row): ExperimentRecord {
  return { name: text(row, 'name'), createdAt: text(row, 'created_at'), runCount: num(row, 'run_count') };
}

export function reuseToRow(record: ReuseRecord): Params {
  return {
    key: record.key,
    pipeline_name: record.pipelineName,
    run_id: record.runId,
    step: record.step,
    outputs: JSON.stringify(record.outputs),
    manifest: toJson(record.manifest),
    created_at: record.createdAt,
  };
}

export function rowToReuse(row: Row): ReuseRecord {
  return {
    key: text(row, 'key'),
    pipelineName: text(row, 'pipeline_name'),
    runId: text(row, 'run_id'),
    step: text(row, 'step'),
    outputs: json(row, 'outputs'),
    manifest: optJson(row, 'manifest'),
    createdAt: text(row, 'created_at'),
  };
}
