import type { Container, CosmosClient, SqlParameter } from '@azure/cosmos';
import { ConflictError, NotFoundError, TransientError, ValidationError } from '../../errors';
import { connectCosmos, type CosmosConnectionOptions } from '../../store/cosmos/cosmos-client';
import { CONFLICT, NOT_FOUND, PRECONDITION_FAILED, statusOf, withStoreErrors } from '../../store/cosmos/cosmos-errors';
import { isCosmosId, readItem, readWithEtag, replaceIfMatch } from '../../store/cosmos/cosmos-items';
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
import { decodePageKey, encodePageKey } from '../sqlite/rows';
import { IdempotencyClaims } from './idempotency-claims';
import { PUBLISH_CONTAINERS } from './publish-containers';
import { docToEndpoint, docToPipeline, endpointToDoc, pipelineDocId, versionDoc, type EndpointDoc, type PipelineDoc, type VersionDoc } from './publish-documents';

export type CosmosPublishStoreOptions = CosmosConnectionOptions;

type Containers = Record<keyof typeof PUBLISH_CONTAINERS, Container>;

const WHOLE_NUMBER = /^\d{1,15}$/;
/** Rounds of racing for an automatic version (each round, one racer wins) or a status change. */
const MAX_ROUNDS = 50;
/** A version reserved by a publish that never stored its pipeline (it crashed in between) is free again after this. */
const ABANDONED_VERSION_MS = 60_000;
const ITEM_TOO_LARGE = 413;

/**
 * The publish store in Azure, on Cosmos DB (layout and query costs: `publish-containers.ts`);
 * see PublishStore for the contract. Writes that can race are creates (409 for the loser) or
 * replaces conditioned on the ETag read (412), never a lost or mixed record; throttling and
 * outages surface as TransientError once the client's retries run out.
 */
export class CosmosPublishStore implements PublishStore {
  private readonly claims: IdempotencyClaims;

  private constructor(
    private readonly client: CosmosClient,
    private readonly c: Containers,
  ) {
    this.claims = new IdempotencyClaims(c.idempotency);
  }

  static async connect(options: CosmosPublishStoreOptions): Promise<CosmosPublishStore> {
    const { client, database } = await connectCosmos(options, Object.values(PUBLISH_CONTAINERS));
    const containers = Object.fromEntries(Object.entries(PUBLISH_CONTAINERS).map(([name, def]) => [name, database.container(def.id)])) as Containers;
    return new CosmosPublishStore(client, containers);
  }

  createPipeline(pipeline: NewPublishedPipeline): Promise<PublishedPipelineRecord> {
    return withStoreErrors(`createPipeline ${pipeline.id}`, async () => {
      pipelineDocId(pipeline.id);
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const record: PublishedPipelineRecord = { ...pipeline, version: pipeline.version ?? (await this.nextVersion(pipeline.name)), updatedAt: pipeline.createdAt };
        const reserved = await this.reserveVersion(record);
        if (reserved === 'taken') {
          if (pipeline.version === undefined) continue; // another publish got this number first: take the next
          const holder = await readItem<VersionDoc>(this.c.pipelineVersions, record.version, record.name);
          if (!holder) continue; // given back meanwhile
          throw new ConflictError(`pipeline "${record.name}" already has a published version ${record.version} (${holder.pipelineId}); publish with another version`, 'version');
        }
        try {
          await this.c.pipelines.items.create<PipelineDoc>(record);
          return record;
        } catch (err) {
          await this.c.pipelineVersions.item(record.version, record.name).delete({ accessCondition: { type: 'IfMatch', condition: reserved } }).catch(() => undefined);
          if (statusOf(err) === CONFLICT) throw new ConflictError(`published pipeline ${record.id} already exists`, 'id');
          if (statusOf(err) === ITEM_TOO_LARGE) throw new ValidationError(`published pipeline ${record.id} is larger than a Cosmos DB item can be (2 MB): make its definition smaller`, 'definition');
          throw err;
        }
      }
      throw new TransientError(`pipeline "${pipeline.name}": too many concurrent publishes to assign a version; try again`);
    });
  }

  getPipeline(id: string): Promise<PublishedPipelineRecord | undefined> {
    return withStoreErrors(`getPipeline ${id}`, async () => {
      const doc = isCosmosId(id) ? await readItem<PipelineDoc>(this.c.pipelines, id, id) : undefined; // other ids cannot be stored
      return doc && docToPipeline(doc);
    });
  }

  listPipelines(filter: PipelineFilter = {}): Promise<Page<PublishedPipelineRecord>> {
    return withStoreErrors('listPipelines', async () => {
      const limit = pageSize(filter.limit);
      const where: string[] = [];
      const parameters: SqlParameter[] = [];
      const equal = (field: 'name' | 'status', value: string | undefined): void => {
        if (value === undefined) return;
        where.push(`c.${field} = @${field}`);
        parameters.push({ name: `@${field}`, value });
      };
      equal('name', filter.name);
      equal('status', filter.status);
      if (filter.continuationToken !== undefined) {
        const [createdAt, id] = decodeToken(filter.continuationToken, 2);
        where.push('(c.createdAt < @afterCreatedAt OR (c.createdAt = @afterCreatedAt AND c.id < @afterId))');
        parameters.push({ name: '@afterCreatedAt', value: createdAt! }, { name: '@afterId', value: id! });
      }
      // `limit` is a checked integer; one more row tells whether another page exists.
      const query = `SELECT TOP ${limit + 1} * FROM c ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY c.createdAt DESC, c.id DESC`;
      const { resources } = await this.c.pipelines.items.query<PipelineDoc>({ query, parameters }).fetchAll();
      const items = resources.slice(0, limit).map(docToPipeline);
      const last = items[items.length - 1];
      return resources.length > limit && last ? { items, continuationToken: encodePageKey([last.createdAt, last.id]) } : { items };
    });
  }

  setPipelineStatus(id: string, status: PublishedPipelineStatus, at: string): Promise<PublishedPipelineRecord | undefined> {
    return withStoreErrors(`setPipelineStatus ${id}`, async () => {
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const found = isCosmosId(id) ? await readWithEtag<PipelineDoc>(this.c.pipelines, id, id) : undefined;
        if (!found) return undefined;
        const current = docToPipeline(found.doc);
        if (current.status === status) return current;
        const next: PublishedPipelineRecord = { ...current, status, updatedAt: at };
        try {
          await this.c.pipelines.item(id, id).replace<PipelineDoc>(next, { accessCondition: { type: 'IfMatch', condition: found.etag } });
          return next;
        } catch (err) {
          if (statusOf(err) !== PRECONDITION_FAILED) throw err; // else changed meanwhile: read again
        }
      }
      throw new TransientError(`published pipeline ${id}: its status kept changing under concurrent requests`);
    });
  }

  deletePipeline(id: string): Promise<boolean> {
    return withStoreErrors(`deletePipeline ${id}`, async () => {
      const doc = isCosmosId(id) ? await readItem<PipelineDoc>(this.c.pipelines, id, id) : undefined;
      if (!doc) return false;
      await this.c.pipelines.item(id, id).delete().catch(unlessStatus(NOT_FOUND));
      // Then the version reservation, if it is still this pipeline's (else it was taken over as
      // abandoned meanwhile); a reservation left behind is taken over after ABANDONED_VERSION_MS.
      const holder = await readWithEtag<VersionDoc>(this.c.pipelineVersions, doc.version, doc.name);
      if (holder?.doc.pipelineId === id) {
        await this.c.pipelineVersions.item(doc.version, doc.name).delete({ accessCondition: { type: 'IfMatch', condition: holder.etag } }).catch(unlessStatus(NOT_FOUND, PRECONDITION_FAILED));
      }
      return true;
    });
  }

  createEndpoint(endpoint: NewPipelineEndpoint): Promise<PipelineEndpointRecord> {
    return withStoreErrors(`createEndpoint ${endpoint.name}`, async () => {
      const record: PipelineEndpointRecord = { ...endpoint, updatedAt: endpoint.createdAt, revision: 1 };
      try {
        await this.c.endpoints.items.create(endpointToDoc(record));
      } catch (err) {
        if (statusOf(err) === CONFLICT) throw new ConflictError(`pipeline endpoint "${endpoint.name}" already exists; add a version to it instead`, 'name');
        throw err;
      }
      return record;
    });
  }

  getEndpoint(name: string): Promise<PipelineEndpointRecord | undefined> {
    return withStoreErrors(`getEndpoint ${name}`, async () => {
      const doc = isCosmosId(name) ? await readItem<EndpointDoc>(this.c.endpoints, name, name) : undefined;
      return doc && docToEndpoint(doc);
    });
  }

  listEndpoints(filter: EndpointFilter = {}): Promise<Page<PipelineEndpointRecord>> {
    return withStoreErrors('listEndpoints', async () => {
      const limit = pageSize(filter.limit);
      const after = filter.continuationToken === undefined ? '' : decodeToken(filter.continuationToken, 1)[0]!;
      const query = { query: `SELECT TOP ${limit + 1} * FROM c WHERE c.name > @after ORDER BY c.name`, parameters: [{ name: '@after', value: after }] };
      const { resources } = await this.c.endpoints.items.query<EndpointDoc>(query).fetchAll();
      const items = resources.slice(0, limit).map(docToEndpoint);
      const last = items[items.length - 1];
      return resources.length > limit && last ? { items, continuationToken: encodePageKey([last.name]) } : { items };
    });
  }

  updateEndpoint(name: string, expectedRevision: number, patch: EndpointPatch, at: string): Promise<PipelineEndpointRecord> {
    return withStoreErrors(`updateEndpoint ${name}`, async () => {
      const found = isCosmosId(name) ? await readWithEtag<EndpointDoc>(this.c.endpoints, name, name) : undefined;
      if (!found) throw new NotFoundError(`pipeline endpoint "${name}" does not exist`, 'name');
      const current = docToEndpoint(found.doc);
      const conflict = (stored: number | undefined) =>
        new ConflictError(`pipeline endpoint "${name}" was updated concurrently (expected revision ${expectedRevision}, stored ${stored}); re-read and retry`, 'name');
      if (current.revision !== expectedRevision) throw conflict(current.revision);
      const next: PipelineEndpointRecord = { ...current, ...patch, name, updatedAt: at, revision: current.revision + 1 };
      if (patch.description === undefined && 'description' in patch) delete next.description;
      await replaceIfMatch(this.c.endpoints, name, name, endpointToDoc(next), found.etag, async () => conflict((await this.getEndpoint(name))?.revision));
      return next;
    });
  }

  getIdempotency(scope: string, key: string, now: string): Promise<IdempotencyRecord | undefined> {
    return withStoreErrors('getIdempotency', () => this.claims.get(scope, key, now));
  }

  claimIdempotency(claim: IdempotencyRecord): Promise<IdempotencyClaim> {
    return withStoreErrors('claimIdempotency', () => this.claims.claim(claim));
  }

  releaseIdempotency(scope: string, key: string, runId: string): Promise<void> {
    return withStoreErrors('releaseIdempotency', () => this.claims.release(scope, key, runId));
  }

  purgeExpiredIdempotency(now: string): Promise<number> {
    return withStoreErrors('purgeExpiredIdempotency', () => this.claims.purgeExpired(now));
  }

  async close(): Promise<void> {
    this.client.dispose();
  }

  /** Next whole-number version of `name`: one more than the largest whole-number version so far (one partition). */
  private async nextVersion(name: string): Promise<string> {
    const query = { query: 'SELECT VALUE c.id FROM c WHERE c.name = @name', parameters: [{ name: '@name', value: name }] };
    const { resources } = await this.c.pipelineVersions.items.query<string>(query, { partitionKey: name }).fetchAll();
    const numbers = resources.filter((v) => WHOLE_NUMBER.test(v)).map(Number);
    return String(numbers.length ? Math.max(...numbers) + 1 : 1);
  }

  /**
   * Reserves the pipeline's version of its name: the ETag of the reservation, or 'taken'. A
   * reservation whose pipeline was never stored (its publish crashed in between) is taken over
   * once it is older than ABANDONED_VERSION_MS.
   */
  private async reserveVersion(pipeline: PublishedPipelineRecord): Promise<string | 'taken'> {
    const doc = versionDoc(pipeline);
    try {
      return (await this.c.pipelineVersions.items.create(doc)).etag;
    } catch (err) {
      if (statusOf(err) !== CONFLICT) throw err;
    }
    const holder = await readWithEtag<VersionDoc>(this.c.pipelineVersions, doc.id, doc.name);
    if (!holder || Date.parse(pipeline.createdAt) - Date.parse(holder.doc.claimedAt) < ABANDONED_VERSION_MS) return 'taken';
    if (await readItem(this.c.pipelines, holder.doc.pipelineId, holder.doc.pipelineId)) return 'taken';
    try {
      return (await this.c.pipelineVersions.item(doc.id, doc.name).replace(doc, { accessCondition: { type: 'IfMatch', condition: holder.etag } })).etag;
    } catch (err) {
      if (statusOf(err) === PRECONDITION_FAILED) return 'taken';
      throw err;
    }
  }
}

/** A rejection handler that ignores the given Cosmos statuses (e.g. the item is already gone) and rethrows anything else. */
function unlessStatus(...ignored: number[]): (err: unknown) => void {
  return (err) => {
    if (!ignored.includes(statusOf(err) ?? 0)) throw err;
  };
}

function decodeToken(token: string, size: number): string[] {
  const parts = decodePageKey(token, size);
  if (!parts) throw new ValidationError('continuationToken is not a token returned by this listing (pass it back unchanged)', 'continuationToken');
  return parts;
}
