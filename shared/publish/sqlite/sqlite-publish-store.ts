import { ConflictError, NotFoundError, ValidationError } from '../../errors';
import type { Page } from '../../store/run-store';
import { pageSize } from '../../store/sqlite/paging';
import type { EndpointFilter, IdempotencyClaim, PipelineFilter, PublishStore } from '../publish-store';
import type {
  EndpointPatch,
  IdempotencyRecord,
  NewPipelineEndpoint,
  NewPublishedPipeline,
  PipelineEndpointRecord,
  PublishedPipelineRecord,
  PublishedPipelineStatus,
} from '../records';
import type { SqliteConnection } from '../../store/sqlite/connection';
import { openPublishDb } from './publish-db';
import {
  decodePageKey,
  encodePageKey,
  endpointToRow,
  idempotencyToRow,
  pipelineToRow,
  rowToEndpoint,
  rowToIdempotency,
  rowToPipeline,
  type Params,
} from './rows';

const PIPELINE_COLUMNS = ['id', 'name', 'version', 'description', 'status', 'definition', 'snapshots', 'source_run_id', 'created_at', 'updated_at'];
const ENDPOINT_COLUMNS = ['name', 'description', 'default_version', 'versions', 'created_at', 'updated_at', 'revision'];
const IDEMPOTENCY_COLUMNS = ['scope', 'key', 'run_id', 'request_hash', 'created_at', 'expires_at'];
const insert = (table: string, columns: string[]) =>
  `INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map((c) => `$${c}`).join(', ')}) ON CONFLICT DO NOTHING`;

const SQL = {
  insertPipeline: insert('published_pipelines', PIPELINE_COLUMNS),
  getPipeline: 'SELECT * FROM published_pipelines WHERE id = $id',
  pipelineByVersion: 'SELECT id FROM published_pipelines WHERE name = $name AND version = $version',
  versionsOfName: 'SELECT version FROM published_pipelines WHERE name = $name',
  setStatus: 'UPDATE published_pipelines SET status = $status, updated_at = $updated_at WHERE id = $id AND status <> $status',
  deletePipeline: 'DELETE FROM published_pipelines WHERE id = $id',
  insertEndpoint: insert('pipeline_endpoints', ENDPOINT_COLUMNS),
  getEndpoint: 'SELECT * FROM pipeline_endpoints WHERE name = $name',
  updateEndpoint: `UPDATE pipeline_endpoints SET description = $description, default_version = $default_version,
    versions = $versions, updated_at = $updated_at, revision = $revision WHERE name = $name AND revision = $expected`,
  listEndpoints: 'SELECT * FROM pipeline_endpoints WHERE name > $after ORDER BY name LIMIT $limit',
  getClaim: 'SELECT * FROM idempotency_keys WHERE scope = $scope AND key = $key AND expires_at > $now',
  // Inserts the claim, or takes over an expired one: one statement, changes = 1 exactly when claimed.
  claim: `INSERT INTO idempotency_keys (${IDEMPOTENCY_COLUMNS.join(', ')}) VALUES (${IDEMPOTENCY_COLUMNS.map((c) => `$${c}`).join(', ')})
    ON CONFLICT (scope, key) DO UPDATE SET run_id = excluded.run_id, request_hash = excluded.request_hash,
    created_at = excluded.created_at, expires_at = excluded.expires_at WHERE idempotency_keys.expires_at <= excluded.created_at`,
  releaseClaim: 'DELETE FROM idempotency_keys WHERE scope = $scope AND key = $key AND run_id = $run_id',
  purgeClaims: 'DELETE FROM idempotency_keys WHERE expires_at <= $now',
} as const;

const WHOLE_NUMBER = /^\d{1,15}$/;

/** The local publish store (`publish.db` in the workspace); see PublishStore for the contract. */
export class SqlitePublishStore implements PublishStore {
  private constructor(private readonly db: SqliteConnection) {}

  static open(dbPath: string, options: { busyTimeoutMs?: number } = {}): SqlitePublishStore {
    return new SqlitePublishStore(openPublishDb(dbPath, options.busyTimeoutMs));
  }

  async createPipeline(pipeline: NewPublishedPipeline): Promise<PublishedPipelineRecord> {
    return this.db.write(() => {
      const version = pipeline.version ?? this.nextVersion(pipeline.name);
      const record: PublishedPipelineRecord = { ...pipeline, version, updatedAt: pipeline.createdAt };
      if (this.db.stmt(SQL.insertPipeline).run(pipelineToRow(record)).changes === 1) return record;
      if (this.db.stmt(SQL.getPipeline).get({ id: record.id })) throw new ConflictError(`published pipeline ${record.id} already exists`, 'id');
      const existing = this.db.stmt(SQL.pipelineByVersion).get({ name: record.name, version });
      throw new ConflictError(
        `pipeline "${record.name}" already has a published version ${version} (${String(existing?.['id'])}); publish with another version`,
        'version',
      );
    });
  }

  async getPipeline(id: string): Promise<PublishedPipelineRecord | undefined> {
    const row = this.db.read(() => this.db.stmt(SQL.getPipeline).get({ id }));
    return row ? rowToPipeline(row) : undefined;
  }

  async listPipelines(filter: PipelineFilter = {}): Promise<Page<PublishedPipelineRecord>> {
    const limit = pageSize(filter.limit);
    const where: string[] = [];
    const params: Params = { limit: limit + 1 };
    if (filter.name !== undefined) {
      where.push('name = $name');
      params['name'] = filter.name;
    }
    if (filter.status !== undefined) {
      where.push('status = $status');
      params['status'] = filter.status;
    }
    if (filter.continuationToken !== undefined) {
      const [createdAt, id] = decodeToken(filter.continuationToken, 2);
      where.push('(created_at, id) < ($after_created_at, $after_id)');
      params['after_created_at'] = createdAt;
      params['after_id'] = id;
    }
    const sql = `SELECT * FROM published_pipelines ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT $limit`;
    const rows = this.db.read(() => this.db.stmt(sql).all(params));
    const items = rows.slice(0, limit).map(rowToPipeline);
    const last = items[items.length - 1];
    return rows.length > limit && last ? { items, continuationToken: encodePageKey([last.createdAt, last.id]) } : { items };
  }

  async setPipelineStatus(id: string, status: PublishedPipelineStatus, at: string): Promise<PublishedPipelineRecord | undefined> {
    return this.db.write(() => {
      this.db.stmt(SQL.setStatus).run({ id, status, updated_at: at });
      const row = this.db.stmt(SQL.getPipeline).get({ id });
      return row ? rowToPipeline(row) : undefined;
    });
  }

  async deletePipeline(id: string): Promise<boolean> {
    return this.db.write(() => this.db.stmt(SQL.deletePipeline).run({ id }).changes === 1);
  }

  async createEndpoint(endpoint: NewPipelineEndpoint): Promise<PipelineEndpointRecord> {
    const record: PipelineEndpointRecord = { ...endpoint, updatedAt: endpoint.createdAt, revision: 1 };
    this.db.write(() => {
      if (this.db.stmt(SQL.insertEndpoint).run(endpointToRow(record)).changes === 0) {
        throw new ConflictError(`pipeline endpoint "${endpoint.name}" already exists; add a version to it instead`, 'name');
      }
    });
    return record;
  }

  async getEndpoint(name: string): Promise<PipelineEndpointRecord | undefined> {
    const row = this.db.read(() => this.db.stmt(SQL.getEndpoint).get({ name }));
    return row ? rowToEndpoint(row) : undefined;
  }

  async listEndpoints(filter: EndpointFilter = {}): Promise<Page<PipelineEndpointRecord>> {
    const limit = pageSize(filter.limit);
    const after = filter.continuationToken === undefined ? '' : decodeToken(filter.continuationToken, 1)[0]!;
    const rows = this.db.read(() => this.db.stmt(SQL.listEndpoints).all({ after, limit: limit + 1 }));
    const items = rows.slice(0, limit).map(rowToEndpoint);
    const last = items[items.length - 1];
    return rows.length > limit && last ? { items, continuationToken: encodePageKey([last.name]) } : { items };
  }

  async updateEndpoint(name: string, expectedRevision: number, patch: EndpointPatch, at: string): Promise<PipelineEndpointRecord> {
    return this.db.write(() => {
      const row = this.db.stmt(SQL.getEndpoint).get({ name });
      if (!row) throw new NotFoundError(`pipeline endpoint "${name}" does not exist`, 'name');
      const current = rowToEndpoint(row);
      if (current.revision !== expectedRevision) {
        throw new ConflictError(`pipeline endpoint "${name}" was updated concurrently (expected revision ${expectedRevision}, stored ${current.revision}); re-read and retry`, 'name');
      }
      const next: PipelineEndpointRecord = { ...current, ...patch, name, updatedAt: at, revision: current.revision + 1 };
      if (patch.description === undefined && 'description' in patch) delete next.description;
      const { created_at: _created, ...fields } = endpointToRow(next);
      this.db.stmt(SQL.updateEndpoint).run({ ...fields, expected: expectedRevision });
      return next;
    });
  }

  async getIdempotency(scope: string, key: string, now: string): Promise<IdempotencyRecord | undefined> {
    const row = this.db.read(() => this.db.stmt(SQL.getClaim).get({ scope, key, now }));
    return row ? rowToIdempotency(row) : undefined;
  }

  async claimIdempotency(claim: IdempotencyRecord): Promise<IdempotencyClaim> {
    return this.db.write(() => {
      const claimed = this.db.stmt(SQL.claim).run(idempotencyToRow(claim)).changes === 1;
      if (claimed) return { claimed, record: claim };
      const row = this.db.stmt(SQL.getClaim).get({ scope: claim.scope, key: claim.key, now: claim.createdAt });
      if (!row) throw new Error(`publish store: idempotency claim ${claim.scope}/${claim.key} neither inserted nor found`);
      return { claimed, record: rowToIdempotency(row) };
    });
  }

  async releaseIdempotency(scope: string, key: string, runId: string): Promise<void> {
    this.db.write(() => this.db.stmt(SQL.releaseClaim).run({ scope, key, run_id: runId }));
  }

  async purgeExpiredIdempotency(now: string): Promise<number> {
    return this.db.write(() => Number(this.db.stmt(SQL.purgeClaims).run({ now }).changes));
  }

  async close(): Promise<void> {
    this.db.close();
  }

  /** Next whole-number version of `name`: one more than the largest whole-number version so far. */
  private nextVersion(name: string): string {
    const versions = this.db.stmt(SQL.versionsOfName).all({ name }).map((row) => String(row['version']));
    const numbers = versions.filter((v) => WHOLE_NUMBER.test(v)).map(Number);
    return String(numbers.length ? Math.max(...numbers) + 1 : 1);
  }
}

function decodeToken(token: string, size: number): string[] {
  const parts = decodePageKey(token, size);
  if (!parts) throw new ValidationError('continuationToken is not a token returned by this listing (pass it back unchanged)', 'continuationToken');
  return parts;
}
