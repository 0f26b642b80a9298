import type { Container, CosmosClient, SqlParameter } from '@azure/cosmos';
import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { ExperimentRecord, MetricRecord, ReuseRecord, RunRecord, RunStatus, StepRunRecord } from '../records';
import type { NewRun, NewStepRun, Page, RunFilter, RunStore } from '../run-store';
import { decodeRunKey, encodeRunKey, pageSize } from '../sqlite/paging';
import { CONTAINERS } from './containers';
import { connectCosmos, type CosmosConnectionOptions } from './cosmos-client';
import { CONFLICT, PRECONDITION_FAILED, statusOf, withStoreErrors } from './cosmos-errors';
import { readItem, readWithEtag, replaceIfMatch } from './cosmos-items';
import {
  docToExperiment, docToMetric, docToReuse, docToRun, docToStep, metricToDoc, reuseDocId, reuseToDoc, runToDoc, stepDocId, stepToDoc,
  type ExperimentDoc, type MetricDoc, type ReuseDoc, type RunDoc, type StepDoc,
} from './documents';
import { ExperimentCounts } from './experiment-counts';

export type CosmosRunStoreOptions = CosmosConnectionOptions;

/** Fields a patch may change but not clear. */
const REQUIRED_RUN_FIELDS = ['experiment', 'pipelineName', 'status', 'definition', 'parameters', 'options', 'createdAt'] as const;
const WRITERS = 8;

/**
 * The run history in Azure, on Cosmos DB (layout and query costs: `containers.ts`). Every update
 * that can race is a read, a version check and a replace conditioned on the read's ETag: a
 * concurrent writer makes it fail with ConflictError (HTTP 412), never a lost or mixed record.
 * Throttling surfaces as TransientError with the server's delay once the client's retries run out.
 */
export class CosmosRunStore implements RunStore {
  private readonly counts: ExperimentCounts;

  private constructor(
    private readonly client: CosmosClient,
    private readonly runs: Container,
    private readonly reuse: Container,
    private readonly experiments: Container,
  ) {
    this.counts = new ExperimentCounts(experiments);
  }

  static async connect(options: CosmosRunStoreOptions): Promise<CosmosRunStore> {
    const { client, database: db } = await connectCosmos(options, Object.values(CONTAINERS));
    return new CosmosRunStore(client, db.container(CONTAINERS.runs.id), db.container(CONTAINERS.reuse.id), db.container(CONTAINERS.experiments.id));
  }

  createRun(run: NewRun): Promise<RunRecord> {
    return withStoreErrors(`createRun ${run.id}`, async () => {
      let created: RunDoc | undefined;
      try {
        created = (await this.runs.items.create(runToDoc({ ...run, version: 1 }))).resource;
      } catch (err) {
        if (statusOf(err) === CONFLICT) throw new ConflictError(`run ${run.id} already exists`, run.id);
        throw err;
      }
      await this.counts.add(run.experiment, run.createdAt, 1);
      return docToRun(created!);
    });
  }

  getRun(id: string): Promise<RunRecord | undefined> {
    return withStoreErrors(`getRun ${id}`, async () => {
      const doc = await readItem<RunDoc>(this.runs, id, id);
      return doc?.type === 'run' ? docToRun(doc) : undefined;
    });
  }

  /** A point read is the cheapest Cosmos read there is; a projection query would cost more RUs. */
  async getRunStatus(id: string): Promise<RunStatus | undefined> {
    return (await this.getRun(id))?.status;
  }

  listRuns(filter: RunFilter = {}): Promise<Page<RunRecord>> {
    return withStoreErrors('listRuns', async () => {
      const limit = pageSize(filter.limit);
      const after = filter.continuationToken === undefined ? undefined : decodeRunKey(filter.continuationToken);
      const where = ["c.type = 'run'"];
      const parameters: SqlParameter[] = [];
      const equal = (field: string, value: string | undefined): void => {
        if (value === undefined) return;
        where.push(`c.${field} = @${field}`);
        parameters.push({ name: `@${field}`, value });
      };
      equal('experiment', filter.experiment);
      equal('pipelineName', filter.pipelineName);
      equal('publishedPipelineId', filter.publishedPipelineId);
      equal('status', filter.status);
      if (after) {
        where.push('(c.createdAt < @afterCreatedAt OR (c.createdAt = @afterCreatedAt AND c.id < @afterId))');
        parameters.push({ name: '@afterCreatedAt', value: after.createdAt }, { name: '@afterId', value: after.id });
      }
      // `limit` is a checked integer; one more row tells whether another page exists.
      const query = `SELECT TOP ${limit + 1} * FROM c WHERE ${where.join(' AND ')} ORDER BY c.createdAt DESC, c.id DESC`;
      const { resources } = await this.runs.items.query<RunDoc>({ query, parameters }).fetchAll();
      const items = resources.slice(0, limit).map(docToRun);
      const last = items[items.length - 1];
      return resources.length > limit && last ? { items, continuationToken: encodeRunKey(last) } : { items };
    });
  }

  updateRun(id: string, expectedVersion: number, patch: Partial<Omit<RunRecord, 'id' | 'version'>>): Promise<RunRecord> {
    return withStoreErrors(`updateRun ${id}`, async () => {
      const found = await readWithEtag<RunDoc>(this.runs, id, id);
      if (!found || found.doc.type !== 'run') throw new NotFoundError(`run ${id} not found`, id);
      const current = docToRun(found.doc);
      if (current.version !== expectedVersion) throw runConflict(id, expectedVersion, current.version);
      // A key present in `patch` with the value undefined clears that field, as with object spread.
      const changes: Partial<RunRecord> = { ...patch };
      delete changes.id;
      delete changes.version;
      for (const key of REQUIRED_RUN_FIELDS) {
        if (key in changes && changes[key] === undefined) throw new ValidationError(`updateRun: ${key} of run ${id} cannot be cleared`, key);
      }
      const next: RunRecord = { ...current, ...changes, id, version: current.version + 1 };
      const saved = await replaceIfMatch<RunDoc>(this.runs, id, id, runToDoc(next), found.etag, async () =>
        runConflict(id, expectedVersion, (await this.getRun(id))?.version),
      );
      if (next.experiment !== current.experiment) {
        await this.counts.add(current.experiment, current.createdAt, -1);
        await this.counts.add(next.experiment, next.createdAt, 1);
      }
      return docToRun(saved);
    });
  }

  putStepRun(step: NewStepRun, expectedVersion?: number): Promise<StepRunRecord> {
    const name = `step run ${step.runId}/${step.step}`;
    return withStoreErrors(`putStepRun ${step.runId}/${step.step}`, async () => {
      const record: StepRunRecord = { ...step, version: (expectedVersion ?? 0) + 1 };
      if (expectedVersion === undefined) {
        try {
          return docToStep((await this.runs.items.create(stepToDoc(record))).resource!);
        } catch (err) {
          if (statusOf(err) !== CONFLICT) throw err;
          const stored = await this.getStepRun(step.runId, step.step);
          throw new ConflictError(`${name} already exists (stored version ${stored?.version}); pass its version to replace it (re-read the step run and retry)`, name);
        }
      }
      const id = stepDocId(step.step);
      const found = await readWithEtag<StepDoc>(this.runs, id, step.runId);
      if (!found) throw new NotFoundError(`${name} not found (expected version ${expectedVersion})`, name);
      const conflict = (stored: number | undefined): ConflictError =>
        new ConflictError(`${name} was updated concurrently: expected version ${expectedVersion} but the stored version is ${stored} (re-read the step run and retry)`, name);
      if (found.doc.version !== expectedVersion) throw conflict(found.doc.version);
      const saved = await replaceIfMatch<StepDoc>(this.runs, id, step.runId, stepToDoc(record), found.etag, async () =>
        conflict((await this.getStepRun(step.runId, step.step))?.version),
      );
      return docToStep(saved);
    });
  }

  getStepRun(runId: string, step: string): Promise<StepRunRecord | undefined> {
    return withStoreErrors(`getStepRun ${runId}/${step}`, async () => {
      const doc = await readItem<StepDoc>(this.runs, stepDocId(step), runId);
      return doc ? docToStep(doc) : undefined;
    });
  }

  listStepRuns(runId: string): Promise<StepRunRecord[]> {
    return withStoreErrors(`listStepRuns ${runId}`, async () => {
      const query = { query: "SELECT * FROM c WHERE c.runId = @runId AND c.type = 'step'", parameters: [{ name: '@runId', value: runId }] };
      const { resources } = await this.runs.items.query<StepDoc>(query, { partitionKey: runId }).fetchAll();
      return resources.map(docToStep);
    });
  }

  addMetrics(metrics: MetricRecord[]): Promise<void> {
    return withStoreErrors('addMetrics', () => inParallel(metrics, async (m) => void (await this.runs.items.create(metricToDoc(m)))));
  }

  /** Metrics in the order they were added. */
  listMetrics(runId: string, step?: string): Promise<MetricRecord[]> {
    return withStoreErrors(`listMetrics ${runId}`, async () => {
      const parameters: SqlParameter[] = [{ name: '@runId', value: runId }];
      let query = "SELECT * FROM c WHERE c.runId = @runId AND c.type = 'metric'";
      if (step !== undefined) {
        query += ' AND c.step = @step';
        parameters.push({ name: '@step', value: step });
      }
      const { resources } = await this.runs.items.query<MetricDoc>({ query, parameters }, { partitionKey: runId }).fetchAll();
      return resources.sort((a, b) => a.seq - b.seq).map(docToMetric);
    });
  }

  /** Experiments by name; `createdAt` is that of the experiment's earliest run. */
  listExperiments(): Promise<ExperimentRecord[]> {
    return withStoreErrors('listExperiments', async () => {
      const { resources } = await this.experiments.items.query<ExperimentDoc>('SELECT * FROM c').fetchAll();
      return resources.map(docToExperiment).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    });
  }

  getReuse(key: string): Promise<ReuseRecord | undefined> {
    return withStoreErrors('getReuse', async () => {
      const doc = await readItem<ReuseDoc>(this.reuse, reuseDocId(key), key);
      return doc ? docToReuse(doc) : undefined;
    });
  }

  putReuseIfAbsent(record: ReuseRecord): Promise<ReuseRecord> {
    return withStoreErrors('putReuseIfAbsent', async () => {
      for (;;) {
        try {
          return docToReuse((await this.reuse.items.create(reuseToDoc(record))).resource!);
        } catch (err) {
          if (statusOf(err) !== CONFLICT) throw err;
        }
        const stored = await this.getReuse(record.key);
        if (stored) return stored; // first writer wins
      }
    });
  }

  replaceReuse(record: ReuseRecord, staleRunId: string): Promise<void> {
    return withStoreErrors('replaceReuse', async () => {
      const doc = reuseToDoc(record);
      for (;;) {
        const found = await readWithEtag<ReuseDoc>(this.reuse, doc.id, record.key);
        if (!found || found.doc.runId !== staleRunId) return;
        try {
          await this.reuse.item(doc.id, record.key).replace(doc, { accessCondition: { type: 'IfMatch', condition: found.etag } });
          return;
        } catch (err) {
          if (statusOf(err) !== PRECONDITION_FAILED) throw err;
        }
      }
    });
  }

  listReuseForStep(pipelineName: string, step: string, limit: number): Promise<ReuseRecord[]> {
    return withStoreErrors('listReuseForStep', async () => {
      const query = `SELECT TOP ${pageSize(limit)} * FROM c WHERE c.pipelineName = @pipelineName AND c.step = @step ORDER BY c.createdAt DESC, c.id DESC`;
      const parameters = [{ name: '@pipelineName', value: pipelineName }, { name: '@step', value: step }];
      const { resources } = await this.reuse.items.query<ReuseDoc>({ query, parameters }).fetchAll();
      return resources.map(docToReuse);
    });
  }

  async close(): Promise<void> {
    this.client.dispose();
  }
}

function runConflict(id: string, expected: number, stored: number | undefined): ConflictError {
  return new ConflictError(`run ${id} was updated concurrently: expected version ${expected} but the stored version is ${stored} (re-read the run and retry)`, id);
}

async function inParallel<T>(items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(WRITERS, items.length) }, worker));
}
