import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { PipelineDefinition } from '../../model/definition';
import type { ExperimentRecord, MetricRecord, ReuseRecord, RunRecord, RunStatus, StepRunRecord } from '../records';
import type { NewRun, NewStepRun, Page, RunFilter, RunStore } from '../run-store';
import { SqliteConnection, type ConnectionOptions, type Params } from './connection';
import { DefinitionCache } from './definition-cache';
import { decodeRunKey, encodeRunKey, pageSize } from './paging';
import {
  metricToRow,
  reuseToRow,
  rowToExperiment,
  rowToMetric,
  rowToReuse,
  rowToRun,
  rowToStepRun,
  runFieldsToRow,
  stepRunToRow,
} from './rows';

export type SqliteRunStoreOptions = ConnectionOptions;

/** Every column of `runs` but definition_rev (1 when a run is created, moved only by a definition rewrite). */
const RUN_COLUMNS = [
  'id', 'experiment', 'pipeline_name', 'published_pipeline_id', 'status', 'status_reason', 'parameters',
  'options', 'git', 'created_at', 'started_at', 'ended_at', 'driver', 'version',
] as const;
const STEP_COLUMNS = [
  'run_id', 'step', 'status', 'status_reason', 'attempt', 'compute', 'handle', 'exit_code', 'queued_at', 'started_at',
  'ended_at', 'duration_ms', 'reused', 'reused_from', 'reuse_key', 'command', 'outputs', 'version',
] as const;
const REUSE_COLUMNS = ['key', 'pipeline_name', 'run_id', 'step', 'outputs', 'manifest', 'created_at'] as const;

const insertSql = (table: string, columns: readonly string[], onConflict: string): string =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `$${c}`).join(', ')}) ON CONFLICT (${onConflict}) DO NOTHING`;
const setSql = (columns: readonly string[], keys: readonly string[]): string =>
  columns.filter((c) => !keys.includes(c)).map((c) => `${c} = $${c}`).join(', ');

/** Fields a patch may change but not clear. */
const REQUIRED_RUN_FIELDS = ['experiment', 'pipelineName', 'status', 'definition', 'parameters', 'options', 'createdAt'] as const;

const SQL = {
  insertRun: insertSql('runs', RUN_COLUMNS, 'id'),
  insertDefinition: 'INSERT INTO run_definitions (run_id, definition) VALUES ($id, $definition)',
  updateRunFields: `UPDATE runs SET ${setSql(RUN_COLUMNS, ['id'])} WHERE id = $id`,
  updateRunDefinition: 'UPDATE run_definitions SET definition = $definition WHERE run_id = $id',
  moveDefinitionRev: 'UPDATE runs SET definition_rev = definition_rev + 1 WHERE id = $id',
  getRun: 'SELECT * FROM runs WHERE id = $id',
  getDefinition: 'SELECT definition FROM run_definitions WHERE run_id = $id',
  getRunStatus: 'SELECT status FROM runs WHERE id = $id',
  countIntoExperiment: `INSERT INTO experiments (name, created_at, run_count) VALUES ($name, $created_at, 1)
    ON CONFLICT (name) DO UPDATE SET run_count = run_count + 1, created_at = min(created_at, excluded.created_at)`,
  countOutOfExperiment: 'UPDATE experiments SET run_count = run_count - 1 WHERE name = $name',
  listExperiments: 'SELECT * FROM experiments ORDER BY name',
  insertStep: insertSql('step_runs', STEP_COLUMNS, 'run_id, step'),
  replaceStep: `UPDATE step_runs SET ${setSql(STEP_COLUMNS, ['run_id', 'step'])}
    WHERE run_id = $run_id AND step = $step AND version = $expected`,
  getStep: 'SELECT * FROM step_runs WHERE run_id = $run_id AND step = $step',
  stepVersion: 'SELECT version FROM step_runs WHERE run_id = $run_id AND step = $step',
  listSteps: 'SELECT * FROM step_runs WHERE run_id = $run_id ORDER BY rowid',
  insertMetric: `INSERT INTO metrics (run_id, step, name, value, idx, logged_at)
    VALUES ($run_id, $step, $name, $value, $idx, $logged_at)`,
  listMetrics: 'SELECT * FROM metrics WHERE run_id = $run_id ORDER BY seq',
  listStepMetrics: 'SELECT * FROM metrics WHERE run_id = $run_id AND step = $step ORDER BY seq',
  insertReuse: insertSql('reuse', REUSE_COLUMNS, 'key'),
  getReuse: 'SELECT * FROM reuse WHERE key = $key',
  replaceReuse: `UPDATE reuse SET ${setSql(REUSE_COLUMNS, ['key'])} WHERE key = $key AND run_id = $stale_run_id`,
  listReuse: `SELECT * FROM reuse WHERE pipeline_name = $pipeline_name AND step = $step
    ORDER BY created_at DESC, key DESC LIMIT $limit`,
} as const;

/**
 * The local run history: one SQLite file under the workspace (`node:sqlite`, nothing native to
 * build). Safe for several processes on one file (two CLIs, a CLI and a worker): WAL mode lets
 * reads run during a write, writes go in BEGIN IMMEDIATE transactions that wait up to the busy
 * timeout for the lock, and racing updates fail with ConflictError through `version`. A lock held
 * longer than the busy timeout surfaces as TransientError. Writes asked for in one turn of the
 * event loop share a transaction (`SqliteConnection.writeGrouped`); each still succeeds or fails
 * on its own, and resolves once committed.
 *
 * Calls are synchronous underneath (a transaction blocks the event loop for its few microseconds,
 * or up to the busy timeout while another process holds the lock).
 */
export class SqliteRunStore implements RunStore {
  private readonly definitions = new DefinitionCache();

  private constructor(private readonly conn: SqliteConnection) {}

  /** Opens or creates the store at `dbPath` (parent folders created, file mode 0600). */
  static open(dbPath: string, options: SqliteRunStoreOptions = {}): SqliteRunStore {
    return new SqliteRunStore(SqliteConnection.open(dbPath, options));
  }

  /** Absolute path of the database file. */
  get path(): string {
    return this.conn.path;
  }

  async createRun(run: NewRun): Promise<RunRecord> {
    const row = runFieldsToRow(run, 1);
    const definition = JSON.stringify(run.definition);
    await this.conn.writeGrouped(() => {
      if (this.conn.stmt(SQL.insertRun).run(row).changes === 0) {
        throw new ConflictError(`run ${run.id} already exists`, run.id);
      }
      this.conn.stmt(SQL.insertDefinition).run({ id: run.id, definition });
      this.conn.stmt(SQL.countIntoExperiment).run({ name: run.experiment, created_at: run.createdAt });
    });
    const created = rowToRun(row, JSON.parse(definition));
    this.definitions.set(run.id, 1, created.definition);
    return created;
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    return this.conn.read(() => this.readRun(id));
  }

  async getRunStatus(id: string): Promise<RunStatus | undefined> {
    const row = this.conn.read(() => this.conn.stmt(SQL.getRunStatus).get({ id }));
    return row === undefined ? undefined : (row['status'] as RunStatus);
  }

  async listRuns(filter: RunFilter = {}): Promise<Page<RunRecord>> {
    const limit = pageSize(filter.limit);
    const after = filter.continuationToken === undefined ? undefined : decodeRunKey(filter.continuationToken);
    const where: string[] = [];
    const params: Params = { limit: limit + 1 };
    const equal = (column: string, value: string | undefined): void => {
      if (value === undefined) return;
      where.push(`${column} = $${column}`);
      params[column] = value;
    };
    equal('experiment', filter.experiment);
    equal('pipeline_name', filter.pipelineName);
    equal('published_pipeline_id', filter.publishedPipelineId);
    equal('status', filter.status);
    if (after !== undefined) {
      where.push('(created_at, id) < ($after_created_at, $after_id)');
      params['after_created_at'] = after.createdAt;
      params['after_id'] = after.id;
    }
    // At most 32 distinct texts (filters x token), each prepared once and cached.
    const sql = `SELECT runs.*, definition FROM runs JOIN run_definitions ON run_id = id
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $limit`;
    const rows = this.conn.read(() => this.conn.stmt(sql).all(params));
    const items = rows.slice(0, limit).map((row) => rowToRun(row, JSON.parse(String(row['definition']))));
    const last = items[items.length - 1];
    return rows.length > limit && last !== undefined ? { items, continuationToken: encodeRunKey(last) } : { items };
  }

  async updateRun(id: string, expectedVersion: number, patch: Partial<Omit<RunRecord, 'id' | 'version'>>): Promise<RunRecord> {
    return this.conn.writeGrouped(() => {
      const current = this.readRun(id);
      if (current === undefined) throw new NotFoundError(`run ${id} not found`, id);
      if (current.version !== expectedVersion) {
        throw new ConflictError(
          `run ${id} was updated concurrently: expected version ${expectedVersion} but the stored version is ${current.version} (re-read the run and retry)`,
          id,
        );
      }
      // A key present in `patch` with the value undefined clears that field, as with object spread.
      const changes: Partial<RunRecord> = { ...patch };
      delete changes.id;
      delete changes.version;
      for (const key of REQUIRED_RUN_FIELDS) {
        if (key in changes && changes[key] === undefined) throw new ValidationError(`updateRun: ${key} of run ${id} cannot be cleared`, key);
      }
      const next: RunRecord = { ...current, ...changes, id, version: current.version + 1 };
      const fields = runFieldsToRow(next, next.version);
      this.conn.stmt(SQL.updateRunFields).run(fields);
      // The definition is rewritten only when patched: it is the one large column.
      const definitionJson = changes.definition === undefined ? undefined : JSON.stringify(changes.definition);
      if (definitionJson !== undefined) {
        this.conn.stmt(SQL.updateRunDefinition).run({ id, definition: definitionJson });
        this.conn.stmt(SQL.moveDefinitionRev).run({ id });
      }
      if (next.experiment !== current.experiment) {
        this.conn.stmt(SQL.countOutOfExperiment).run({ name: current.experiment });
        this.conn.stmt(SQL.countIntoExperiment).run({ name: next.experiment, created_at: next.createdAt });
      }
      return rowToRun(fields, definitionJson === undefined ? current.definition : JSON.parse(definitionJson));
    });
  }

  async putStepRun(step: NewStepRun, expectedVersion?: number): Promise<StepRunRecord> {
    const version = expectedVersion === undefined ? 1 : expectedVersion + 1;
    const row = stepRunToRow(step, version);
    const name = `step run ${step.runId}/${step.step}`;
    await this.conn.writeGrouped(() => {
      if (expectedVersion === undefined) {
        if (this.conn.stmt(SQL.insertStep).run(row).changes === 1) return;
        const stored = this.storedStepVersion(step.runId, step.step);
        throw new ConflictError(
          `${name} already exists (stored version ${stored}); pass its version to replace it (re-read the step run and retry)`,
          name,
        );
      }
      if (this.conn.stmt(SQL.replaceStep).run({ ...row, expected: expectedVersion }).changes === 1) return;
      const stored = this.storedStepVersion(step.runId, step.step);
      if (stored === undefined) throw new NotFoundError(`${name} not found (expected version ${expectedVersion})`, name);
      throw new ConflictError(
        `${name} was updated concurrently: expected version ${expectedVersion} but the stored version is ${stored} (re-read the step run and retry)`,
        name,
      );
    });
    return rowToStepRun(row);
  }

  async getStepRun(runId: string, step: string): Promise<StepRunRecord | undefined> {
    const row = this.conn.read(() => this.conn.stmt(SQL.getStep).get({ run_id: runId, step }));
    return row === undefined ? undefined : rowToStepRun(row);
  }

  /** Step runs of a run in the order they were first stored. */
  async listStepRuns(runId: string): Promise<StepRunRecord[]> {
    return this.conn.read(() => this.conn.stmt(SQL.listSteps).all({ run_id: runId })).map(rowToStepRun);
  }

  async addMetrics(metrics: MetricRecord[]): Promise<void> {
    if (metrics.length === 0) return;
    const rows = metrics.map(metricToRow);
    await this.conn.writeGrouped(() => {
      const insert = this.conn.stmt(SQL.insertMetric);
      for (const row of rows) insert.run(row);
    });
  }

  /** Metrics in the order they were added. */
  async listMetrics(runId: string, step?: string): Promise<MetricRecord[]> {
    const rows = this.conn.read(() =>
      step === undefined
        ? this.conn.stmt(SQL.listMetrics).all({ run_id: runId })
        : this.conn.stmt(SQL.listStepMetrics).all({ run_id: runId, step }),
    );
    return rows.map(rowToMetric);
  }

  /** Experiments by name; `createdAt` is that of the experiment's earliest run. */
  async listExperiments(): Promise<ExperimentRecord[]> {
    return this.conn.read(() => this.conn.stmt(SQL.listExperiments).all()).map(rowToExperiment);
  }

  async getReuse(key: string): Promise<ReuseRecord | undefined> {
    const row = this.conn.read(() => this.conn.stmt(SQL.getReuse).get({ key }));
    return row === undefined ? undefined : rowToReuse(row);
  }

  async putReuseIfAbsent(record: ReuseRecord): Promise<ReuseRecord> {
    const row = reuseToRow(record);
    const stored = await this.conn.writeGrouped(() => {
      if (this.conn.stmt(SQL.insertReuse).run(row).changes === 1) return undefined;
      return this.conn.stmt(SQL.getReuse).get({ key: record.key });
    });
    // Inserted: what is stored is `record` itself, not worth parsing back.
    return stored ? rowToReuse(stored) : record;
  }

  async replaceReuse(record: ReuseRecord, staleRunId: string): Promise<void> {
    const row = { ...reuseToRow(record), stale_run_id: staleRunId };
    await this.conn.writeGrouped(() => this.conn.stmt(SQL.replaceReuse).run(row));
  }

  async listReuseForStep(pipelineName: string, step: string, limit: number): Promise<ReuseRecord[]> {
    const params = { pipeline_name: pipelineName, step, limit: pageSize(limit) };
    return this.conn.read(() => this.conn.stmt(SQL.listReuse).all(params)).map(rowToReuse);
  }

  async close(): Promise<void> {
    this.conn.close();
  }

  /** The run, with its definition from the cache while its revision is unchanged. Call inside read/write. */
  private readRun(id: string): RunRecord | undefined {
    const row = this.conn.stmt(SQL.getRun).get({ id });
    if (row === undefined) return undefined;
    const rev = Number(row['definition_rev']);
    let definition = this.definitions.get(id, rev);
    if (!definition) {
      const stored = this.conn.stmt(SQL.getDefinition).get({ id });
      if (stored === undefined) throw new Error(`run store: run ${id} has no definition`);
      definition = JSON.parse(String(stored['definition'])) as PipelineDefinition;
      this.definitions.set(id, rev, definition);
    }
    return rowToRun(row, definition);
  }

  private storedStepVersion(runId: string, step: string): number | undefined {
    const value = this.conn.stmt(SQL.stepVersion).get({ run_id: runId, step })?.['version'];
    return typeof value === 'number' ? value : undefined;
  }
}
