/**
 * `tributary download`: a run's outputs (from the URIs its step records hold, so a reused step's
 * outputs come from the run that made them), logs and metrics (from `azureml/<run>/<step>/logs/`),
 * copied from the datastore into `<to>/<runId>/<step>/{outputs/<name>,logs/attempt-N}/`.
 * Outputs must be committed; every file is checked against the manifest's hash.
 */
import { statSync } from 'node:fs';
import { cp, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError, TributaryError, ValidationError } from '../../errors';
import type { OutputRecord, StepRunRecord } from '../../store/records';
import type { RunStore } from '../../store/run-store';
import type { Workspace } from '../../workspace/workspace';
import { checkDatastorePath, datastorePathProblem, isDatastoreUri, parseDatastoreUri } from '../datastore-uri';
import { mapLimit } from './concurrency';
import { Datastore } from './datastore';
import { DEFAULT_DATASTORE } from './datastore-registry';
import { contentHash } from './hash-pool';
import { listLocalFiles } from './local-files';
import { checkCommitted } from './manifest';
import { stepLogsPath } from './output-paths';
import { storageError } from './storage-errors';

export interface DownloadRequest {
  runId: string;
  step?: string;
  output?: string;
  /** Folder to download into; files land under `<to>/<runId>/`. */
  to: string;
}

export interface DownloadedItem {
  step: string;
  kind: 'output' | 'logs';
  /** Output name, or `attempt-N`. */
  name: string;
  source: string;
  path: string;
  files: number;
  bytes: number;
}

export async function downloadRun(workspace: Workspace, store: RunStore, request: DownloadRequest): Promise<DownloadedItem[]> {
  const run = await store.getRun(request.runId);
  if (!run) throw new NotFoundError(`run "${request.runId}" does not exist`, 'runId');
  const stepNames = Object.keys(run.definition.steps);
  if (request.step && !stepNames.includes(request.step)) {
    throw new NotFoundError(`run "${run.id}" has no step "${request.step}" (steps: ${stepNames.join(', ')})`, '--step');
  }
  const steps = (await store.listStepRuns(run.id)).filter((s) => !request.step || s.step === request.step);
  if (request.output && !steps.some((s) => request.output! in s.outputs)) {
    const known = [...new Set(steps.flatMap((s) => Object.keys(s.outputs)))];
    throw new NotFoundError(`no recorded output "${request.output}"${request.step ? ` in step "${request.step}"` : ''} (recorded: ${known.join(', ') || 'none'})`, '--output');
  }
  assertFolderOrAbsent(request.to);
  const stores = new Map<string, Promise<Datastore>>();
  const datastore = (name: string) => stores.get(name) ?? stores.set(name, Datastore.get(workspace, name)).get(name)!;
  const base = path.resolve(request.to, run.id);
  const items: DownloadedItem[] = [];
  for (const step of steps) {
    for (const [name, record] of Object.entries(step.outputs)) {
      if (request.output && name !== request.output) continue;
      const dest = path.join(base, step.step, 'outputs', name);
      items.push({ step: step.step, kind: 'output', name, source: record.uri, path: dest, ...(await downloadOutput(record, dest, datastore)) });
    }
    if (!request.output) items.push(...(await downloadLogs(await datastore(DEFAULT_DATASTORE), run.id, step, path.join(base, step.step, 'logs'))));
  }
  return items;
}

async function downloadOutput(record: OutputRecord, dest: string, datastore: (name: string) => Promise<Datastore>): Promise<{ files: number; bytes: number }> {
  await rm(dest, { recursive: true, force: true });
  if (!isDatastoreUri(record.uri)) {
    await cp(record.uri, dest, { recursive: true }); // recorded by the local-folder plane
    const files = listLocalFiles(dest, 'output');
    return { files: files.length, bytes: files.reduce((n, f) => n + f.size, 0) };
  }
  const location = parseDatastoreUri(record.uri, 'output');
  const ds = await datastore(location.datastore);
  const committed = await checkCommitted(ds.container, location.path, record.fingerprint);
  if ('problem' in committed) throw new TributaryError('Conflict', 409, `cannot download ${record.uri}: ${committed.problem}`);
  await mapLimit(committed.manifest.files, 8, async (file) => {
    const rel = checkDatastorePath(file.path, `manifest of ${record.uri}`);
    const local = path.join(dest, ...rel.split('/'));
    await fetchBlob(ds, `${location.path}/${rel}`, local, committed.etags.get(file.path));
    if ((await contentHash(local, file.size)) !== file.hash) {
      throw new TributaryError('Conflict', 409, `${record.uri}/${rel} does not match its manifest (corrupted or replaced since it was committed)`);
    }
  });
  return { files: committed.manifest.files.length, bytes: committed.manifest.totalBytes };
}

async function downloadLogs(ds: Datastore, runId: string, step: StepRunRecord, dest: string): Promise<DownloadedItem[]> {
  const prefix = stepLogsPath(runId, step.step);
  const byAttempt = new Map<string, DownloadedItem>();
  try {
    for await (const item of ds.container.listBlobsFlat({ prefix: `${prefix}/` })) {
      const rel = item.name.slice(prefix.length + 1);
      if (datastorePathProblem(rel)) continue; // not written by Tributary: never turned into a local path
      const attempt = rel.split('/')[0]!;
      const entry = byAttempt.get(attempt) ?? { step: step.step, kind: 'logs' as const, name: attempt, source: ds.uri(`${prefix}/${attempt}`), path: path.join(dest, attempt), files: 0, bytes: 0 };
      byAttempt.set(attempt, entry);
      await fetchBlob(ds, item.name, path.join(dest, ...rel.split('/')), item.properties.etag);
      entry.files += 1;
      entry.bytes += item.properties.contentLength ?? 0;
    }
  } catch (err) {
    throw storageError(err, `downloading logs of step "${step.step}"`);
  }
  return [...byAttempt.values()];
}

async function fetchBlob(ds: Datastore, name: string, local: string, etag: string | undefined): Promise<void> {
  await mkdir(path.dirname(local), { recursive: true });
  try {
    await ds.container.getBlobClient(name).downloadToFile(local, 0, undefined, etag ? { conditions: { ifMatch: etag } } : {});
  } catch (err) {
    throw storageError(err, `downloading ${name} from datastore ${ds.name}`);
  }
}

/** `--to` must name a folder (created when missing), not a file or something under one. */
function assertFolderOrAbsent(to: string): void {
  for (let dir = path.resolve(to); ; dir = path.dirname(dir)) {
    const info = statSync(dir, { throwIfNoEntry: false });
    if (info && !info.isDirectory()) {
      throw new ValidationError(`--to ${to}: ${dir === path.resolve(to) ? 'is a file' : `${dir} is a file`}; name a folder to download into`, '--to');
    }
    if (info || dir === path.dirname(dir)) return;
  }
}
