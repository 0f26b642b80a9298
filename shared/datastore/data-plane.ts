/**
 * How step data moves: inputs become local paths a process can read, outputs written to local
 * folders become durable records. The local-folder plane keeps everything in the workspace; the
 * blob plane (Azurite locally, Blob Storage in Azure) persists to a datastore.
 */
import type { DataType } from '../model/definition';
import type { OutputRecord } from '../store/records';

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

export interface DataPlane {
  /** A local path the step can read for a datastore or local-path input. Missing → ValidationError naming it. */
  resolveInput(input: DataInput, ctx: StepDataContext): Promise<string>;
  /** A local path for an upstream step's recorded output. */
  resolveUpstreamOutput(record: OutputRecord, ctx: StepDataContext): Promise<string>;
  /** Persists an attempt's output folders (name → local folder); returns their records. */
  persistOutputs(ctx: StepDataContext, outputs: Record<string, string>): Promise<Record<string, OutputRecord>>;
  /** True when every recorded output can still be read (checked before reuse). */
  outputsExist(outputs: Record<string, OutputRecord>): Promise<boolean>;
}
