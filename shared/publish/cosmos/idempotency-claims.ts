/**
 * Idempotency-Key claims on Cosmos DB. A claim is atomic without transactions: creating the
 * document succeeds for exactly one of any number of racing callers (409 for the rest), and an
 * expired claim is taken over with a replace conditioned on the ETag read (412 for the losers,
 * who read again). Expiry is decided by `expiresAt`, never by whether Cosmos has deleted it yet.
 */
import type { Container } from '@azure/cosmos';
import { TransientError } from '../../errors';
import { CONFLICT, NOT_FOUND, PRECONDITION_FAILED, statusOf } from '../../store/cosmos/cosmos-errors';
import { readItem, readWithEtag } from '../../store/cosmos/cosmos-items';
import type { IdempotencyClaim } from '../publish-store';
import type { IdempotencyRecord } from '../records';
import { claimDocId, claimToDoc, docToClaim, type ClaimDoc } from './publish-documents';

/** Rounds of a claim or release that lost every race before giving up (TransientError). */
const MAX_ROUNDS = 20;
const PURGE_PAGE = 100;

export class IdempotencyClaims {
  constructor(private readonly container: Container) {}

  async get(scope: string, key: string, now: string): Promise<IdempotencyRecord | undefined> {
    const id = claimDocId(scope, key);
    const doc = await readItem<ClaimDoc>(this.container, id, id);
    return doc && doc.expiresAt > now ? docToClaim(doc) : undefined;
  }

  async claim(claim: IdempotencyRecord): Promise<IdempotencyClaim> {
    const doc = claimToDoc(claim);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (await this.succeeds(() => this.container.items.create(doc), CONFLICT)) return { claimed: true, record: claim };
      const found = await readWithEtag<ClaimDoc>(this.container, doc.id, doc.id);
      if (!found) continue; // released meanwhile: create again
      if (found.doc.expiresAt > claim.createdAt) return { claimed: false, record: docToClaim(found.doc) };
      const takeOver = () => this.container.item(doc.id, doc.id).replace(doc, { accessCondition: { type: 'IfMatch', condition: found.etag } });
      if (await this.succeeds(takeOver, PRECONDITION_FAILED)) return { claimed: true, record: claim };
    }
    throw new TransientError(`idempotency claim ${claim.scope}/${claim.key}: it kept changing under concurrent requests`);
  }

  async release(scope: string, key: string, runId: string): Promise<void> {
    const id = claimDocId(scope, key);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const found = await readWithEtag<ClaimDoc>(this.container, id, id);
      if (!found || found.doc.runId !== runId) return;
      const remove = () => this.container.item(id, id).delete({ accessCondition: { type: 'IfMatch', condition: found.etag } });
      if (await this.succeeds(remove, PRECONDITION_FAILED, NOT_FOUND)) return;
    }
    throw new TransientError(`idempotency claim ${scope}/${key}: it kept changing while being released`);
  }

  /** Deletes claims expired at `now` (in production Cosmos TTL removes them too). */
  async purgeExpired(now: string): Promise<number> {
    const query = { query: 'SELECT c.id, c._etag FROM c WHERE c.expiresAt <= @now', parameters: [{ name: '@now', value: now }] };
    const pages = this.container.items.query<{ id: string; _etag: string }>(query, { maxItemCount: PURGE_PAGE });
    let purged = 0;
    while (pages.hasMoreResults()) {
      for (const { id, _etag } of (await pages.fetchNext()).resources) {
        // A claim taken over since the query (412) is no longer expired; one already gone (404) is not counted.
        const remove = () => this.container.item(id, id).delete({ accessCondition: { type: 'IfMatch', condition: _etag } });
        if (await this.succeeds(remove, PRECONDITION_FAILED, NOT_FOUND)) purged++;
      }
    }
    return purged;
  }

  /** False when another writer got there first (one of `lost`): the caller reads again. */
  private async succeeds(write: () => Promise<unknown>, ...lost: number[]): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (err) {
      if (lost.includes(statusOf(err) ?? 0)) return false;
      throw err;
    }
  }
}
