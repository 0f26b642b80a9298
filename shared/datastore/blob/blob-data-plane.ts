/**
 * The DataPlane on Blob Storage (Azurite locally). Outputs land on the default datastore at
 * `azureml/<run>/<step>/outputs/<name>`, committed by a manifest written last.
 *
 * Local fast path: `persistOutputs` hashes the output (on all cores), notes it in the run's local
 * output notes and returns the record at once; the upload runs in the background. A consumer on
 * this machine reads the producer's folder directly while the note still matches, so a 1 GiB
 * hand-over costs one parallel hash, not an upload and a download. Durability is kept by `flush`:
 * the run is not finished until every upload is committed (or re-done from the local folder if
 * the process that started it died). A consumer without the folder waits for the upload, then
 * reads the datastore, checking the manifest. An output persisted from its folder for the first
 * time (no note yet) is uploaded without looking for an earlier upload: with background uploads
 * this workspace is the only writer of its runs' output paths, so there is none.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { TributaryError, ValidationError } from '../../errors';
import type { OutputRecord } from '../../store/records';
import { outputFolder, type AttemptPaths, type Workspace } from '../../workspace/workspace';
import type { DataInput, DataPlane, InputFingerprint, StepDataContext } from '../data-plane';
import { checkDatastorePath, formatDatastoreUri, isDatastoreUri, parseDatastoreUri } from '../datastore-uri';
import { fingerprintLocalTree, LocalFolderDataPlane } from '../local-folder-data-plane';
import { artifactsToKeep, uploadAttemptArtifacts } from './artifacts';
import { BlobCache } from './blob-cache';
import { commitUpload } from './commit-upload';
import { CommittedListing } from './committed-listing';
import { fetchCommitted, fetchReference, fingerprintReference } from './datastore-inputs';
import { Datastore } from './datastore';
import { DEFAULT_DATASTORE } from './datastore-registry';
import { hashLocalTree, type HashedFile } from './hashed-tree';
import { uploadLocalInput } from './local-inputs';
import { LocalOutputNotes } from './local-output-notes';
import { checkCommitted } from './manifest';
import { outputPath, parseOutputPath } from './output-paths';
import { PendingWork } from './pending-work';

/** Background uploads running at once (each one a few requests at a time). */
const BACKGROUND_UPLOADS = 8;

export interface BlobDataPlaneOptions {
  /** Upload outputs, logs and local inputs in the background (default), or before the call returns. */
  background?: boolean;
}

export class BlobDataPlane implements DataPlane {
  private readonly datastores = new Map<string, Promise<Datastore>>();
  private readonly pending = new PendingWork(BACKGROUND_UPLOADS);
  private readonly committed = new CommittedListing();
  /** Run → output URI → fingerprint, for the uploads this process committed (until the run's flush ends). */
  private readonly committedHere = new Map<string, Map<string, string>>();
  private readonly cache: BlobCache;
  private readonly notes: LocalOutputNotes;
  private readonly background: boolean;
  /** Checks outputs recorded by the local-folder plane (a workspace that used TRIBUTARY_DATASTORE=none before). */
  private readonly localRecords = new LocalFolderDataPlane();

  constructor(
    private readonly workspace: Workspace,
    options: BlobDataPlaneOptions = {},
  ) {
    this.cache = new BlobCache(path.join(workspace.root, 'cache', 'blobs'));
    this.notes = new LocalOutputNotes(workspace.runsDir);
    this.background = options.background ?? true;
  }

  async resolveInput(input: DataInput, ctx: StepDataContext): Promise<string> {
    const field = `inputs.${input.name}`;
    if (!isDatastoreUri(input.uri)) {
      if (!path.isAbsolute(input.uri) || !existsSync(input.uri)) throw new ValidationError(`${field}: ${input.uri} does not exist`, field);
      await this.later(ctx.runId, `local:${input.uri}`, async () => uploadLocalInput(await this.datastore(DEFAULT_DATASTORE, field), input.uri, field));
      return input.uri;
    }
    const location = parseDatastoreUri(input.uri, field);
    const ds = await this.datastore(location.datastore, field);
    return fetchReference(ds, this.cache, location, input.type, path.join(ctx.scratchDir, 'inputs', input.name), field);
  }

  /** Content identity for reuse keys: local paths as the local-folder plane hashes them; blobs by manifest hash, MD5 or etag. */
  async fingerprintInput(input: DataInput): Promise<InputFingerprint> {
    const field = `inputs.${input.name}`;
    if (!isDatastoreUri(input.uri)) {
      if (!path.isAbsolute(input.uri) || !existsSync(input.uri)) throw new ValidationError(`${field}: ${input.uri} does not exist`, field);
      return fingerprintLocalTree(input.uri);
    }
    const location = parseDatastoreUri(input.uri, field);
    return fingerprintReference(await this.datastore(location.datastore, field), location, input.type, field);
  }

  async resolveUpstreamOutput(record: OutputRecord, ctx: StepDataContext): Promise<string> {
    if (!isDatastoreUri(record.uri)) return record.uri; // recorded by the local-folder plane
    const location = parseDatastoreUri(record.uri, 'output');
    const local = this.localOutput(location.path);
    if (local && this.notes.trusted(local.runId, local.folder, record)) return local.folder;
    await this.pending.idle(record.uri);
    const ds = await this.datastore(location.datastore, 'output');
    const dest = path.join(ctx.scratchDir, 'upstream', ...location.path.split('/').slice(1));
    return fetchCommitted(ds, this.cache, { prefix: location.path, sub: '', fingerprint: record.fingerprint, type: 'uri_folder' }, dest, `output ${record.uri}`);
  }

  async persistOutputs(ctx: StepDataContext, outputs: Record<string, string>): Promise<Record<string, OutputRecord>> {
    const entries = await Promise.all(
      Object.entries(outputs).map(async ([name, folder]) => {
        const field = `outputs.${name}`;
        const tree = await hashLocalTree(folder, field);
        for (const file of tree.files) checkDatastorePath(file.rel, `${field} (file ${file.path})`);
        const uri = formatDatastoreUri({ datastore: DEFAULT_DATASTORE, path: outputPath(ctx.runId, ctx.step, name) });
        const fresh = this.background && !this.notes.has(ctx.runId, uri);
        this.notes.write(ctx.runId, uri, tree);
        await this.later(ctx.runId, uri, () => this.upload(uri, tree.files, fresh));
        return [name, { uri, fingerprint: tree.fingerprint }] as const;
      }),
    );
    return Object.fromEntries(entries);
  }

  async outputsExist(outputs: Record<string, OutputRecord>, forRunId?: string): Promise<boolean> {
    for (const record of Object.values(outputs)) {
      if (!isDatastoreUri(record.uri)) {
        if (!(await this.localRecords.outputsExist({ record }))) return false;
        continue;
      }
      await this.pending.idle(record.uri);
      const location = parseDatastoreUri(record.uri, 'output');
      const ds = await this.datastore(location.datastore, 'output');
      const owner = parseOutputPath(location.path);
      const quick = owner ? await this.committed.check(ds.container, owner.runId, location.path, record.fingerprint, forRunId) : 'unknown';
      if (quick === 'missing') return false;
      if (quick === 'unknown' && 'problem' in (await checkCommitted(ds.container, location.path, record.fingerprint))) return false;
    }
    return true;
  }

  /** Keeps the attempt's stdout, stderr and metrics at `azureml/<run>/<step>/logs/attempt-N/`. */
  async persistAttemptArtifacts(ctx: StepDataContext, paths: Pick<AttemptPaths, 'stdout' | 'stderr' | 'metrics'>): Promise<void> {
    const files = artifactsToKeep(paths);
    if (files.length === 0) return;
    await this.later(ctx.runId, `logs:${ctx.runId}/${ctx.step}/${ctx.attempt}`, async () => uploadAttemptArtifacts(await this.datastore(DEFAULT_DATASTORE, 'logs'), ctx, files));
  }

  /**
   * Waits until everything this process persisted for the run is on the datastore, and makes sure
   * each given output is committed — finishing, from the local folder, an upload an earlier
   * process did not. What this process committed itself is known to be; the rest is looked up,
   * with one listing per producing run. Throws naming everything that could not be made durable.
   */
  async flush(runId: string, outputs: readonly OutputRecord[] = []): Promise<void> {
    const failures = (await this.pending.settle(runId)).map((f) => ({ what: f.key, error: f.error }));
    try {
      for (const record of outputs) {
        if (!isDatastoreUri(record.uri) || failures.some((f) => f.what === record.uri)) continue;
        await this.ensureCommitted(record, runId).catch((error: unknown) => failures.push({ what: record.uri, error }));
      }
    } finally {
      this.committed.forget(runId);
      this.committedHere.delete(runId);
    }
    if (failures.length > 0) throw durabilityError(failures);
  }

  /** Waits for all background work of this process; throws like `flush` when some failed. */
  async close(): Promise<void> {
    const failures = (await this.pending.settle()).map((f) => ({ what: f.key, error: f.error }));
    if (failures.length > 0) throw durabilityError(failures);
  }

  private async ensureCommitted(record: OutputRecord, flushingRunId: string): Promise<void> {
    const location = parseDatastoreUri(record.uri, 'output');
    const ds = await this.datastore(location.datastore, 'output');
    const owner = parseOutputPath(location.path);
    if (owner && this.committedHere.get(owner.runId)?.get(record.uri) === record.fingerprint) return;
    // One listing per producing run answers for all its outputs; only doubtful ones are read in full.
    if (owner && (await this.committed.check(ds.container, owner.runId, location.path, record.fingerprint, flushingRunId)) === 'committed') return;
    const committed = await checkCommitted(ds.container, location.path, record.fingerprint);
    if (!('problem' in committed)) return;
    const local = this.localOutput(location.path);
    const files = local ? this.notes.trusted(local.runId, local.folder, record) : undefined;
    if (!files) throw new TributaryError('Conflict', 409, `${committed.problem}, and the local folder it came from is gone or changed`);
    await this.upload(record.uri, files);
  }

  /** Commits an output (`uri` names an output path); `fresh`: nothing was ever uploaded there (see `commitUpload`). */
  private async upload(uri: string, files: HashedFile[], fresh = false): Promise<void> {
    const location = parseDatastoreUri(uri, 'output');
    const ds = await this.datastore(location.datastore, 'output');
    const owner = parseOutputPath(location.path)!;
    const committedHere = this.committedHere.get(owner.runId) ?? this.committedHere.set(owner.runId, new Map()).get(owner.runId)!;
    committedHere.delete(uri);
    this.committed.changed(ds.container, owner.runId);
    try {
      const manifest = await commitUpload(ds.container, location.path, files.map((file) => ({ blobRel: file.rel, file })), { fresh });
      committedHere.set(uri, manifest.fingerprint);
    } finally {
      this.committed.changed(ds.container, owner.runId);
    }
  }

  /** Runs `work` in the background (tracked for `flush`), or now when background uploads are off. */
  private async later(runId: string, key: string, work: () => Promise<unknown>): Promise<void> {
    if (this.background) void this.pending.track(runId, key, work);
    else await work();
  }

  /** This workspace's folder of an output path (`azureml/<run>/<step>/outputs/<name>`), and its run, if it is one. */
  private localOutput(blobPath: string): { runId: string; folder: string } | undefined {
    const parsed = parseOutputPath(blobPath);
    if (!parsed) return undefined;
    try {
      return { runId: parsed.runId, folder: outputFolder(this.workspace, parsed.runId, parsed.step, parsed.output) };
    } catch {
      return undefined;
    }
  }

  private datastore(name: string, field: string): Promise<Datastore> {
    let ds = this.datastores.get(name);
    if (!ds) {
      ds = Datastore.get(this.workspace, name).catch((err: unknown) => {
        this.datastores.delete(name);
        if (err instanceof TributaryError && err.code === 'NotFound') throw new ValidationError(`${field}: ${err.message}`, field);
        throw err;
      });
      this.datastores.set(name, ds);
    }
    return ds;
  }
}

function durabilityError(failures: { what: string; error: unknown }[]): TributaryError {
  const lines = failures.map((f) => `${f.what}: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
  const retryable = failures.every((f) => f.error instanceof TributaryError && f.error.retryable);
  return new TributaryError(retryable ? 'Transient' : 'Conflict', retryable ? 503 : 409, `not everything reached the datastore:\n  - ${lines.join('\n  - ')}`, { retryable });
}
