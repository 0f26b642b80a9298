/**
 * `datastore.uploadFiles(files, { targetPath, overwrite })`: a file lands at `<targetPath>/<its
 * name>`, a folder's contents (recursively) under `<targetPath>/` — as Azure ML's `upload_files`
 * and `upload(src_dir, target_path)`. Without overwrite an existing blob is kept and reported;
 * the check is made atomic by a create-only condition, so a concurrent writer is never clobbered.
 * Nothing is uploaded into `azureml/`, where Tributary keeps run outputs and logs: a file written
 * over a committed output would be read by every step that reuses it.
 */
import type { ContainerClient } from '@azure/storage-blob';
import path from 'node:path';
import { ValidationError } from '../../errors';
import { checkDatastorePath } from '../datastore-uri';
import { BLOCK_SIZE } from './commit-upload';
import { mapLimit } from './concurrency';
import { listLocalFiles, type LocalFile } from './local-files';
import { inRunsArea, RUNS_AREA } from './output-paths';
import { storageError, storageStatus } from './storage-errors';

export interface UploadProgress {
  loadedBytes: number;
  totalBytes: number;
}

export interface UploadOptions {
  /** Folder on the datastore; empty or omitted: the container root. */
  targetPath?: string;
  /** Replace blobs that already exist (default false: keep them and report them as skipped). */
  overwrite?: boolean;
  onProgress?: (progress: UploadProgress) => void;
  /** Names the target path in errors (the CLI passes `--target-path`). */
  targetField?: string;
}

export interface UploadResult {
  /** Blob paths written. */
  uploaded: string[];
  /** Blob paths that existed and were kept (overwrite off). */
  skipped: string[];
  uploadedBytes: number;
}

const RESERVED =
  `where Tributary keeps run outputs and logs (${RUNS_AREA}/<runId>/<step>/…): only runs write there, and an output is what its run committed. ` +
  'Upload data to a path of your own (e.g. datasets/<name>) and pass it to steps as azureml://datastores/<datastore>/paths/datasets/<name>; ' +
  "to replace a step's output, rerun the step (tributary run --regenerate)";

interface PlannedBlob {
  blob: string;
  file: LocalFile;
}

export async function uploadFiles(container: ContainerClient, files: readonly string[], options: UploadOptions = {}): Promise<UploadResult> {
  const field = options.targetField ?? 'targetPath';
  const target = options.targetPath ? checkDatastorePath(options.targetPath, field) : '';
  if (inRunsArea(target)) throw new ValidationError(`${field}: ${target} is inside ${RUNS_AREA}/, ${RESERVED}`, field);
  const planned = await planUpload(files, target);
  const existing = options.overwrite ? new Set<string>() : await existingBlobs(container, target ? `${target}/` : undefined);
  const totalBytes = planned.filter((p) => !existing.has(p.blob)).reduce((n, p) => n + p.file.size, 0);
  const loaded = new Map<string, number>();
  const report = () => options.onProgress?.({ loadedBytes: [...loaded.values()].reduce((a, b) => a + b, 0), totalBytes });
  const result: UploadResult = { uploaded: [], skipped: [], uploadedBytes: 0 };
  await mapLimit(planned, 8, async ({ blob, file }) => {
    if (existing.has(blob)) {
      result.skipped.push(blob);
      return;
    }
    try {
      await container.getBlockBlobClient(blob).uploadFile(file.path, {
        blockSize: BLOCK_SIZE,
        concurrency: 4,
        conditions: options.overwrite ? undefined : { ifNoneMatch: '*' },
        onProgress: (ev) => {
          loaded.set(blob, ev.loadedBytes);
          report();
        },
      });
      result.uploaded.push(blob);
      result.uploadedBytes += file.size;
    } catch (err) {
      if (!options.overwrite && (storageStatus(err) === 409 || storageStatus(err) === 412)) {
        result.skipped.push(blob); // created by someone else since we listed
        return;
      }
      throw storageError(err, `uploading ${file.path} to ${blob}`);
    }
  });
  result.uploaded.sort();
  result.skipped.sort();
  return result;
}

/** Local files → blob names under the (checked) target, every name checked; two sources mapping to one blob is an error. */
async function planUpload(files: readonly string[], target: string): Promise<PlannedBlob[]> {
  if (files.length === 0) throw new ValidationError('nothing to upload: give at least one file or folder', 'files');
  const byBlob = new Map<string, PlannedBlob>();
  for (const source of files) {
    const local = path.resolve(source);
    for (const file of listLocalFiles(local, source)) {
      const blob = checkDatastorePath(target ? `${target}/${file.rel}` : file.rel, `file ${file.path}`);
      if (inRunsArea(blob)) throw new ValidationError(`file ${file.path} would be uploaded to ${blob}, inside ${RUNS_AREA}/, ${RESERVED}`, 'files');
      const clash = byBlob.get(blob);
      if (clash) throw new ValidationError(`${clash.file.path} and ${file.path} would both be uploaded to ${blob}`, 'files');
      byBlob.set(blob, { blob, file });
    }
  }
  return [...byBlob.values()];
}

async function existingBlobs(container: ContainerClient, prefix: string | undefined): Promise<Set<string>> {
  const names = new Set<string>();
  try {
    for await (const item of container.listBlobsFlat({ prefix })) names.add(item.name);
  } catch (err) {
    throw storageError(err, `listing ${prefix ?? 'the container'}`);
  }
  return names;
}
