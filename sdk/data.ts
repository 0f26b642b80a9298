/**
 * Data that exists before a run: datastores and references to files or folders on them (or on
 * this machine). Data written by steps is {@link PipelineData}.
 */
import { statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ValidationError } from '../shared/errors';
import type { UploadOptions, UploadResult } from '../shared/datastore/blob/upload-files';
import type { DataType, InputBinding } from '../shared/model/definition';
import { datastoreProblem } from '../shared/model/parameters';
import { SAFE_NAME } from '../shared/util/safe-names';
import { objectLabel, parseOptions, safeName } from './validate';
import type { Workspace } from './workspace';

/** Name of a workspace's default datastore, as in Azure ML. */
export const DEFAULT_DATASTORE = 'workspaceblobstore';

/**
 * A named storage location (an Azure Blob container; Azurite locally). Here a thin named
 * reference: steps read from it through {@link DataReference}s made with {@link Datastore.path}.
 *
 * @example
 * const blob = Datastore.default(workspace);   // workspaceblobstore
 * const raw = blob.path('iris/raw.csv', 'raw_data', { isFile: true });
 */
export class Datastore {
  /** The workspace the datastore belongs to, when known (uploads need it). */
  readonly workspace?: Workspace;

  constructor(
    readonly name: string,
    workspace?: Workspace,
  ) {
    if (typeof name !== 'string' || name === '') {
      throw new ValidationError(`Datastore: the name must be a non-empty string, got ${JSON.stringify(name)}`, 'Datastore');
    }
    if (workspace) this.workspace = workspace;
  }

  /** The workspace's default datastore (`workspaceblobstore`). */
  static default(workspace?: Workspace): Datastore {
    return new Datastore(DEFAULT_DATASTORE, workspace);
  }

  /**
   * Uploads local files and folders (recursively) to this datastore (Azure ML `upload_files`):
   * a file lands at `<targetPath>/<its name>`, a folder's contents under `<targetPath>/`. Existing
   * blobs are kept and reported as skipped unless `overwrite` is set. Locally the datastore lives
   * in the workspace's embedded Azurite, started on first use.
   */
  async uploadFiles(files: readonly string[], options: UploadOptions = {}): Promise<UploadResult> {
    const at = `Datastore(${this.name}).uploadFiles`;
    if (!this.workspace) {
      throw new ValidationError(`${at}: the datastore needs its workspace (use Datastore.default(workspace) or new Datastore(name, workspace))`, at);
    }
    const list = uploadFilesSchema.safeParse(files);
    if (!list.success) throw new ValidationError(`${at}: files: expected a list of file or folder paths, e.g. ['data/iris.csv']`, `${at}.files`);
    const o = parseOptions(uploadOptionsSchema, options, at);
    // Loaded on use: the Azure storage client is only needed by uploads.
    const { Datastore: BlobDatastore } = await import('../shared/datastore/blob/datastore.js');
    return (await BlobDatastore.get(this.workspace.location, this.name)).uploadFiles(list.data, o);
  }

  /** A reference to a file or folder on this datastore (Azure ML `datastore.path(...)`). */
  path(pathOnDatastore: string, dataReferenceName?: string, options: { mode?: DataReferenceMode; isFile?: boolean } = {}): DataReference {
    return new DataReference({ datastore: this, pathOnDatastore, ...(dataReferenceName !== undefined ? { dataReferenceName } : {}), ...options });
  }
}

const uploadFilesSchema = z.array(z.string().min(1));
const uploadOptionsSchema = z.strictObject({
  targetPath: z.string().optional(),
  overwrite: z.boolean().optional(),
  onProgress: z.custom<UploadOptions['onProgress']>((value) => typeof value === 'function', { error: 'expected a function' }).optional(),
});

/** How a step sees the data; both give the step a local path here (mounting is a cloud compute detail). */
export type DataReferenceMode = 'mount' | 'download';

export interface DataReferenceOptions {
  /** The datastore holding the data (object or name). Give this with `pathOnDatastore`, or give `localPath`. */
  datastore?: Datastore | string;
  /** Relative path on the datastore; no `..` segments, no leading `/`. */
  pathOnDatastore?: string;
  /** A file or folder on this machine; resolved against the current directory. */
  localPath?: string;
  /** The step input name; defaults to the last path segment made into a name (`iris.csv` → `iris_csv`). */
  dataReferenceName?: string;
  mode?: DataReferenceMode;
  /** The datastore path is one file (`uri_file`) rather than a folder. Local paths are checked on disk instead. */
  isFile?: boolean;
}

const optionsSchema = z.strictObject({
  datastore: z.union([z.instanceof(Datastore), z.string().min(1)], { error: 'expected a Datastore or a datastore name' }).optional(),
  pathOnDatastore: z.string().optional(),
  localPath: z.string().min(1).optional(),
  dataReferenceName: safeName.optional(),
  mode: z.enum(['mount', 'download']).optional(),
  isFile: z.boolean().optional(),
});

/** `data/iris.csv` → `iris_csv`: a usable input name from the last path segment. */
function nameFromPath(p: string): string {
  const base = p.split(/[\\/]/).filter(Boolean).pop() ?? 'data';
  const name = base.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 100);
  return SAFE_NAME.test(name) ? name : `_${name}`;
}

/**
 * A file or folder that exists before the run, as a step input: on a datastore
 * (`datastorePath` binding) or on this machine (`localPath` binding, absolute).
 *
 * @example
 * const raw = new DataReference({ datastore: Datastore.default(), pathOnDatastore: 'iris/raw.csv', dataReferenceName: 'raw_data', isFile: true });
 * const local = new DataReference({ localPath: './data/iris.csv', dataReferenceName: 'raw_data' });
 */
export class DataReference {
  readonly dataReferenceName: string;
  readonly mode: DataReferenceMode;
  readonly datastoreName?: string;
  readonly pathOnDatastore?: string;
  /** Absolute local path (the `localPath` form). */
  readonly localPath?: string;
  readonly isFile: boolean;

  constructor(options: DataReferenceOptions) {
    const label = objectLabel('DataReference', options?.dataReferenceName);
    const o = parseOptions(optionsSchema, options, label);
    const remote = o.datastore !== undefined || o.pathOnDatastore !== undefined;
    if (remote === (o.localPath !== undefined)) {
      throw new ValidationError(`${label}: give either datastore and pathOnDatastore, or localPath`, label);
    }
    this.mode = o.mode ?? 'mount';
    this.isFile = o.isFile ?? false;
    if (o.localPath !== undefined) {
      if (o.isFile !== undefined) throw new ValidationError(`${label}.isFile: applies to datastore paths; a local path is looked at on disk`, `${label}.isFile`);
      this.localPath = path.resolve(o.localPath);
      this.dataReferenceName = o.dataReferenceName ?? nameFromPath(o.localPath);
      return;
    }
    const datastore = typeof o.datastore === 'string' ? o.datastore : o.datastore?.name;
    if (datastore === undefined || o.pathOnDatastore === undefined) {
      throw new ValidationError(`${label}: a datastore reference needs both datastore and pathOnDatastore`, label);
    }
    const problem = datastoreProblem(datastore, o.pathOnDatastore);
    if (problem) {
      throw new ValidationError(`${label}: ${problem} (datastore "${datastore}", pathOnDatastore ${JSON.stringify(o.pathOnDatastore)})`, label);
    }
    this.datastoreName = datastore;
    this.pathOnDatastore = o.pathOnDatastore.replace(/\/$/, '');
    this.dataReferenceName = o.dataReferenceName ?? nameFromPath(o.pathOnDatastore);
  }

  /**
   * The input binding for this reference. Local paths are looked at now: a missing one is a
   * problem, and a file is bound as `uri_file`, a folder as `uri_folder`.
   */
  toBinding(): { type: DataType; binding: InputBinding } | { problem: string } {
    if (this.localPath === undefined) {
      const type: DataType = this.isFile ? 'uri_file' : 'uri_folder';
      return { type, binding: { kind: 'datastorePath', type, datastore: this.datastoreName!, path: this.pathOnDatastore! } };
    }
    const stat = statSync(this.localPath, { throwIfNoEntry: false });
    if (!stat) return { problem: `DataReference "${this.dataReferenceName}": local path ${this.localPath} does not exist` };
    const type: DataType = stat.isDirectory() ? 'uri_folder' : 'uri_file';
    return { type, binding: { kind: 'localPath', type, path: this.localPath } };
  }
}
