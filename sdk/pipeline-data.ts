/**
 * Intermediate data: written by one step (listed in its `outputs`), read by others (listed in
 * their `inputs` or `arguments`). These uses are what make the edges of the pipeline graph.
 */
import { z } from 'zod';
import { ValidationError } from '../shared/errors';
import type { StepOutputSpec } from '../shared/model/definition';
import { DEFAULT_DATASTORE, Datastore } from './data';
import type { Step } from './steps/step';
import { checkName, objectLabel, parseOptions, safeName } from './validate';

export interface PipelineDataOptions {
  /** Where the output is kept. Only the workspace's default datastore is supported so far. */
  datastore?: Datastore | string;
  /** The output is one file (`uri_file`): the step gets a file path inside its output folder. */
  isFile?: boolean;
  /** Azure ML v1 output mode: `mount` (recorded as `rw_mount`) or `upload`. */
  outputMode?: 'mount' | 'upload';
  /** Also publish this output as a pipeline-level output under this name. */
  pipelineOutputName?: string;
}

const optionsSchema = z.strictObject({
  datastore: z.union([z.instanceof(Datastore), z.string().min(1)], { error: 'expected a Datastore or a datastore name' }).optional(),
  isFile: z.boolean().optional(),
  outputMode: z.enum(['mount', 'upload']).optional(),
  pipelineOutputName: safeName.optional(),
});

/**
 * Data a step writes and later steps read. In a step's `outputs` it is that step's output named
 * `name`; in another step's `inputs` (or `arguments`) it is an input of that step and an edge of
 * the graph.
 *
 * @example
 * const prepared = new PipelineData('prepared');
 * const prep = new PythonScriptStep({ name: 'prep', scriptName: 'prep.py', arguments: ['--out', prepared], outputs: [prepared], ... });
 * const train = new PythonScriptStep({ name: 'train', scriptName: 'train.py', arguments: ['--data', prepared], inputs: [prepared], ... });
 */
export class PipelineData {
  readonly isFile: boolean;
  readonly outputMode?: 'mount' | 'upload';
  readonly pipelineOutputName?: string;
  #producer?: Step;

  constructor(
    readonly name: string,
    options: PipelineDataOptions = {},
  ) {
    const label = objectLabel('PipelineData', name);
    checkName(name, label);
    const o = parseOptions(optionsSchema, options, label);
    const datastore = typeof o.datastore === 'string' ? o.datastore : o.datastore?.name;
    if (datastore !== undefined && datastore !== DEFAULT_DATASTORE) {
      throw new ValidationError(
        `${label}.datastore: outputs can only go to the default datastore "${DEFAULT_DATASTORE}" so far, got "${datastore}" (leave datastore out)`,
        `${label}.datastore`,
      );
    }
    this.isFile = o.isFile ?? false;
    if (o.outputMode) this.outputMode = o.outputMode;
    if (o.pipelineOutputName) this.pipelineOutputName = o.pipelineOutputName;
  }

  /** The step that lists this PipelineData in its outputs, once one does. */
  get producer(): Step | undefined {
    return this.#producer;
  }

  /** This data as an input under another name (Azure ML `as_input(input_name)`), e.g. when a step reads two outputs both named `model`. */
  asInput(inputName: string): InputPortBinding {
    return new InputPortBinding(this, inputName);
  }

  /** Records `step` as the writer. Step constructors call it after checking there is no other writer. */
  claimProducer(step: Step): void {
    this.#producer = step;
  }

  outputSpec(): StepOutputSpec {
    const mode = this.outputMode === 'mount' ? 'rw_mount' : this.outputMode;
    return { type: this.isFile ? 'uri_file' : 'uri_folder', ...(mode ? { mode } : {}) };
  }
}

/**
 * A {@link PipelineData} read under a chosen input name (Azure ML `InputPortBinding`).
 *
 * @example
 * inputs: [knnModel.asInput('knn_model'), softmaxModel.asInput('softmax_model')]
 */
export class InputPortBinding {
  constructor(
    readonly data: PipelineData,
    readonly inputName: string,
  ) {
    checkName(inputName, `PipelineData(${data.name}).asInput`);
  }
}
