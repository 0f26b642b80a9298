/**
 * Cheap "is this output still committed?" checks for reuse decisions: one listing of a run's
 * `azureml/<runId>/` folder answers for every output of that run. Each manifest carries its
 * fingerprint, file count, byte total and a digest of its blobs' etags as blob metadata (written
 * with it, last; a one-file commit's blob carries the same keys but the digest), so the listing
 * alone shows whether the manifest is there, names the recorded content, and whether every file
 * it covers is still present with the right total size and none was written again since (see
 * `./manifest`). A listing is kept only for the run that is
 * deciding (until the end of its flush), so a long-lived process never answers from an old look;
 * and it is dropped whenever this process uploads into the listed run, so the flush of a run
 * that reused earlier outputs answers from the listing its reuse decisions took.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { CARRIED_HASH_KEY, etagDigest, ETAGS_KEY, MANIFEST_NAME } from './manifest';
import { storageError } from './storage-errors';

interface PrefixTotals {
  /** Metadata of the manifest blob. */
  manifest?: Record<string, string>;
  /** Metadata of a blob that carries its folder's manifest (a one-file commit). */
  carried?: Record<string, string>;
  files: number;
  bytes: number;
  /** Path (under the prefix) and etag of each file. */
  etags: [string, string][];
}

const MAX_SCOPES = 16;

export type CommittedAnswer = 'committed' | 'missing' | 'unknown';

export class CommittedListing {
  /** Deciding run → (container/source run → listing). */
  private readonly scopes = new Map<string, Map<string, Promise<Map<string, PrefixTotals>>>>();

  /**
   * `unknown` when the manifest lacks metadata (written by an older version): check it in full.
   * Without `scope` the datastore is listed afresh.
   */
  async check(container: ContainerClient, runId: string, prefix: string, fingerprint?: string, scope?: string): Promise<CommittedAnswer> {
    const totals = (await this.listRun(container, runId, scope)).get(prefix);
    if (!totals) return 'missing';
    const metadata = totals.manifest ?? (totals.files === 1 ? totals.carried : undefined);
    if (!metadata) return 'missing';
    const { fingerprint: recorded, files, bytes, [ETAGS_KEY]: etags } = metadata;
    if (recorded === undefined || files === undefined || bytes === undefined) return 'unknown';
    if (fingerprint && recorded !== fingerprint) return 'missing';
    if (totals.files !== Number(files) || totals.bytes !== Number(bytes)) return 'missing';
    if (!totals.manifest) return 'committed'; // a one-file commit: written again, its blob would have lost this metadata
    if (etags === undefined) return 'unknown';
    return etags === etagDigest(totals.etags) ? 'committed' : 'missing';
  }

  /** Drops the listings kept for a deciding run. */
  forget(scope: string): void {
    this.scopes.delete(scope);
  }

  /** Drops every kept listing of a run's outputs: they are being (or were just) rewritten. */
  changed(container: ContainerClient, runId: string): void {
    for (const listings of this.scopes.values()) listings.delete(listingKey(container, runId));
  }

  private listRun(container: ContainerClient, runId: string, scope: string | undefined): Promise<Map<string, PrefixTotals>> {
    const runPrefix = `azureml/${runId}/`;
    if (scope === undefined) return listOutputs(container, runPrefix);
    let listings = this.scopes.get(scope);
    if (!listings) {
      listings = new Map();
      this.scopes.set(scope, listings);
      // A run finished by another process never flushes here: keep only the most recent scopes.
      if (this.scopes.size > MAX_SCOPES) this.scopes.delete(this.scopes.keys().next().value!);
    }
    const key = listingKey(container, runId);
    let listing = listings.get(key);
    if (!listing) {
      listing = listOutputs(container, runPrefix);
      listings.set(key, listing);
      listing.catch(() => listings.delete(key));
    }
    return listing;
  }
}

function listingKey(container: ContainerClient, runId: string): string {
  return `${container.containerName}/${runId}`;
}

/** Output prefix (`azureml/<run>/<step>/outputs/<name>`) → its manifest metadata and file totals. */
async function listOutputs(container: ContainerClient, runPrefix: string): Promise<Map<string, PrefixTotals>> {
  const totals = new Map<string, PrefixTotals>();
  try {
    for await (const item of container.listBlobsFlat({ prefix: runPrefix, includeMetadata: true })) {
      const match = /^(azureml\/[^/]+\/[^/]+\/outputs\/[^/]+)\/(.+)$/.exec(item.name);
      if (!match) continue;
      const [, prefix, rel] = match as unknown as [string, string, string];
      const entry = totals.get(prefix) ?? { files: 0, bytes: 0, etags: [] };
      if (rel === MANIFEST_NAME) entry.manifest = item.metadata ?? {};
      else {
        entry.files++;
        entry.bytes += item.properties.contentLength ?? 0;
        entry.etags.push([rel, item.properties.etag ?? '']);
        if (item.metadata?.[CARRIED_HASH_KEY]) entry.carried = item.metadata;
      }
      totals.set(prefix, entry);
    }
  } catch (err) {
    throw storageError(err, `listing ${runPrefix}`);
  }
  return totals;
}
