import { z } from 'zod';
import { ValidationError } from '../../shared/errors';
import type { StepDefinition } from '../../shared/model/definition';
import { DataReference } from '../data';
import { InputPortBinding, PipelineData } from '../pipeline-data';
import { objectLabel, parseOptions, safeName } from '../validate';
import { StepPorts } from './ports';
import { runSettings, Step, stepShape, type ComputeTargetRef, type StepCompileContext } from './step';

type ReferenceType = 'file' | 'directory';

export interface DataTransferStepOptions {
  name: string;
  /** What to copy: existing data, or another step's output. */
  sourceDataReference: DataReference | PipelineData | InputPortBinding;
  /** Where to copy it: a datastore path, or a PipelineData that later steps read. */
  destinationDataReference: DataReference | PipelineData;
  /** The data-transfer compute. */
  computeTarget?: ComputeTargetRef;
  sourceReferenceType?: ReferenceType;
  destinationReferenceType?: ReferenceType;
  allowReuse?: boolean;
}

const referenceType = z.enum(['file', 'directory']);
const optionsSchema = z.strictObject({
  name: safeName,
  sourceDataReference: z.union([z.instanceof(DataReference), z.instanceof(PipelineData), z.instanceof(InputPortBinding)], {
    error: 'expected a DataReference or a PipelineData',
  }),
  destinationDataReference: z.union([z.instanceof(DataReference), z.instanceof(PipelineData)], { error: 'expected a DataReference or a PipelineData' }),
  computeTarget: stepShape.computeTarget,
  sourceReferenceType: referenceType.optional(),
  destinationReferenceType: referenceType.optional(),
  allowReuse: z.boolean().optional(),
});
type Options = z.output<typeof optionsSchema>;

/**
 * Copies data between datastores (Azure ML `DataTransferStep`).
 *
 * Compiles to a step of kind `data_transfer` with one input named `source`; the command is a JSON
 * description: `{"destination": {"datastore", "path"}}` or `{"destination": {"output": NAME}}`
 * when the destination is a PipelineData (then an output of the step), plus the reference types
 * when given.
 *
 * @example
 * new DataTransferStep({
 *   name: 'archive',
 *   sourceDataReference: model,
 *   destinationDataReference: new DataReference({ datastore: 'archive', pathOnDatastore: 'models/latest', dataReferenceName: 'archived' }),
 *   computeTarget: 'data-factory',
 * });
 */
export class DataTransferStep extends Step {
  readonly #options: Options;

  constructor(options: DataTransferStepOptions) {
    const label = objectLabel('DataTransferStep', options?.name);
    const o = parseOptions(optionsSchema, options, label);
    const destination = o.destinationDataReference;
    if (destination instanceof DataReference && destination.localPath !== undefined) {
      const at = `${label}.destinationDataReference`;
      throw new ValidationError(`${at}: expected a datastore path or a PipelineData (data transfer does not write to local paths)`, at);
    }
    super(label, {
      name: o.name,
      inputs: [o.sourceDataReference],
      outputs: destination instanceof PipelineData ? [destination] : [],
      ...(o.computeTarget !== undefined ? { computeTarget: o.computeTarget } : {}),
      ...(o.allowReuse !== undefined ? { allowReuse: o.allowReuse } : {}),
    });
    this.#options = o;
  }

  compile(ctx: StepCompileContext): StepDefinition | undefined {
    const before = ctx.problems.size;
    const o = this.#options;
    const ports = new StepPorts(this, ctx);
    for (const data of this.outputs) ports.addOutput(data, `${ctx.at}.destinationDataReference`);
    ports.addInput(o.sourceDataReference, `${ctx.at}.sourceDataReference`, 'source');
    const source = ports.inputs.source;
    if (source && o.sourceReferenceType) source.type = o.sourceReferenceType === 'file' ? 'uri_file' : 'uri_folder';
    const destination = o.destinationDataReference;
    const spec = {
      ...(o.sourceReferenceType ? { source_reference_type: o.sourceReferenceType } : {}),
      destination:
        destination instanceof PipelineData ? { output: destination.name } : { datastore: destination.datastoreName, path: destination.pathOnDatastore },
      ...(o.destinationReferenceType ? { destination_reference_type: o.destinationReferenceType } : {}),
    };
    return this.finish(ctx, before, 'data_transfer', ports, () => ({ command: JSON.stringify(spec), ...runSettings({}) }));
  }
}
