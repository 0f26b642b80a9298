/**
 * The internal pipeline definition: what both front doors (Azure ML CLI v2 YAML and the
 * TypeScript SDK) compile to, what is stored with a run and what is published.
 * Plain JSON-serialisable data only; no classes, no functions.
 */

export const DEFINITION_SCHEMA_VERSION = 1;

/** Scalar input types, as in Azure ML component inputs. */
export type ScalarType = 'string' | 'integer' | 'number' | 'boolean';
/** Data input/output types, as in Azure ML (`uri_folder`, `uri_file`). */
export type DataType = 'uri_folder' | 'uri_file';
export type InputType = ScalarType | DataType;
export type ScalarValue = string | number | boolean;

/** A pipeline-level input (Azure ML `inputs:`) or SDK `PipelineParameter`. */
export interface PipelineInputSpec {
  type: InputType;
  /** Default value; for data inputs a path or `azureml://datastores/<name>/paths/<path>` URI. */
  default?: ScalarValue;
  optional?: boolean;
  description?: string;
}

/** Where a step input's value comes from. */
export type InputBinding =
  | { kind: 'literal'; type: InputType; value: ScalarValue }
  | { kind: 'pipelineInput'; name: string }
  | { kind: 'stepOutput'; step: string; output: string }
  /** A file or folder on a datastore (SDK `DataReference`, YAML `azureml://datastores/...`). */
  | { kind: 'datastorePath'; type: DataType; datastore: string; path: string }
  /** A local file or folder, absolute path resolved at compile time. */
  | { kind: 'localPath'; type: DataType; path: string };

export interface StepInputSpec {
  /** Declared type from the component; used for validation and command rendering. */
  type: InputType;
  optional: boolean;
  /** Undefined when an optional input is left unbound. */
  binding?: InputBinding;
}

export interface StepOutputSpec {
  type: DataType;
  /** Azure ML output mode (`rw_mount`, `upload`, ...); recorded, local compute always writes a folder. */
  mode?: string;
}

/** A step's declared environment (image, conda file, registry reference): recorded, used by compute that can. */
export interface EnvironmentSpec {
  image?: string;
  condaFile?: string;
  /** e.g. `azureml:my-env:3` or `azureml://registries/azureml/environments/sklearn-1.5/labels/latest`. */
  reference?: string;
}

export interface RetryPolicy {
  /** Total attempts including the first. */
  maxAttempts: number;
  /** Delay before the second attempt; doubles per attempt. */
  initialDelaySeconds: number;
}

export type StepKind = 'command' | 'databricks' | 'data_transfer';

export interface StepDefinition {
  name: string;
  kind: StepKind;
  displayName?: string;
  /**
   * Command template in Azure ML syntax: `${{inputs.x}}`, `${{outputs.y}}` placeholders and
   * `$[[ ... ]]` optional sections. Rendered per run by `renderCommand`.
   */
  command: string;
  /** Absolute path of the source folder (Azure ML `code:`), snapshotted at submit time. */
  codeDir?: string;
  environment?: EnvironmentSpec;
  /** Compute name as written by the user (e.g. `local`, `azureml:cpu-cluster`). */
  compute: string;
  inputs: Record<string, StepInputSpec>;
  outputs: Record<string, StepOutputSpec>;
  /** Extra environment variables for the process (Azure ML `environment_variables`). */
  environmentVariables: Record<string, string>;
  allowReuse: boolean;
  retry: RetryPolicy;
  /** Wall-clock limit per attempt; undefined means no limit. */
  timeoutSeconds?: number;
  /** Where the step was defined, for error messages (e.g. `pipeline.yml:12` or `sdk:steps[2]`). */
  origin: string;
}

/** Binding of a pipeline-level output to one step output. */
export interface PipelineOutputSpec {
  step: string;
  output: string;
}

export interface PipelineDefinition {
  schemaVersion: typeof DEFINITION_SCHEMA_VERSION;
  name: string;
  displayName?: string;
  description?: string;
  experimentName?: string;
  defaultCompute?: string;
  continueOnStepFailure: boolean;
  inputs: Record<string, PipelineInputSpec>;
  outputs: Record<string, PipelineOutputSpec>;
  /** Steps in definition order (object key order is preserved in JSON). */
  steps: Record<string, StepDefinition>;
  /** File the definition came from (YAML) or `sdk`; used in messages. */
  source: string;
}
