/**
 * How step data moves: inputs become local paths a process can read, outputs written to local
 * folders become durable records. The local-folder plane keeps everything in the workspace; the
 * blob plane (Azurite locally, Blob Storage in Azure) persists to a datastore.
 */
import type { DataType } from '../model/definition';
import type { OutputRecord } from '../store/records';
import type { AttemptPaths } from '../workspace/workspace';

export interface StepDataContext {
  runId: string;
  step: string;
  attempt: number;
  /** Folder owned by this attempt where downloaded inputs may be placed. */
  scratchDir: string;
}

export interface DataInput {
  name: string;
  type: DataType;
  /** `azureml://datastores/<name>/paths/<path>` or an absolute local path. */
  uri: string;
}

/** Content identity of a data input, for reuse keys: equal content gives an equal fingerprint. */
export interface InputFingerprint {
  /**
   * sha256 over every file's path (relative to the input), size and content hash, sorted by path:
   * sha256 of the bytes for local files; for blobs the content MD5 (or the etag where a blob has none).
   */
  fingerprint: string;
  /** The files it covers, sorted by path (what `tributary explain` names when data changed). */
  files: { path: string; size: number; hash: string }[];
}

export interface DataPlane {
  /** A local path the step can read for a datastore or local-path input. Missing → ValidationError naming it. */
  resolveInput(input: DataInput, ctx: StepDataContext): Promise<string>;
  /** A local path for an upstream step's recorded output. */
  resolveUpstreamOutput(record: OutputRecord, ctx: StepDataContext): Promise<string>;
  /** Persists an attempt's output folders (name → local folder); returns their records. */
  persistOutputs(ctx: StepDataContext, outputs: Record<string, string>): Promise<Record<string, OutputRecord>>;
  /**
   * True when every recorded output can still be read (checked before reuse). `forRunId` names the
   * run deciding: a plane may answer its many checks from one look at the datastore.
   */
  outputsExist(outputs: Record<string, OutputRecord>, forRunId?: string): Promise<boolean>;
  /**
   * Content identity of a datastore or local-path input without materialising it (reuse keys).
   * Missing → ValidationError naming it. A plane without this method cannot reuse steps that
   * read such inputs: they always run.
   */
  fingerprintInput?(input: DataInput): Promise<InputFingerprint>;
  /** Keeps an attempt's stdout, stderr and metrics with the run (so another machine can read them). */
  persistAttemptArtifacts?(ctx: StepDataContext, paths: Pick<AttemptPaths, 'stdout' | 'stderr' | 'metrics'>): Promise<void>;
  /** Resolves when the run's outputs are durable; throws naming each one that could not be made so. */
  flush?(runId: string, outputs: readonly OutputRecord[]): Promise<void>;
  /** Waits for background work of this process and releases clients. */
  close?(): Promise<void>;
}
