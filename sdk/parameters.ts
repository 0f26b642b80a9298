import { z } from 'zod';
import { ValidationError } from '../shared/errors';
import type { PipelineInputSpec, ScalarType, ScalarValue } from '../shared/model/definition';
import { objectLabel, parseOptions, safeName } from './validate';

export interface PipelineParameterOptions {
  name: string;
  defaultValue: ScalarValue;
  /** Inferred from the default when left out: boolean, string, `integer` for whole numbers, else `number`. */
  type?: ScalarType;
  description?: string;
}

const optionsSchema = z.strictObject({
  name: safeName,
  defaultValue: z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, a finite number or a boolean' }),
  type: z.enum(['string', 'integer', 'number', 'boolean']).optional(),
  description: z.string().optional(),
});

function inferType(value: ScalarValue): ScalarType {
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value === 'boolean' ? 'boolean' : 'string';
}

/** Why `value` is not a value of `type` (strictly: no string for a number), or undefined. */
function mismatch(type: ScalarType, value: ScalarValue): string | undefined {
  const ok = type === 'integer' ? Number.isSafeInteger(value) : type === 'number' ? typeof value === 'number' : typeof value === type;
  return ok ? undefined : `default ${JSON.stringify(value)} is not of type ${type}`;
}

/**
 * A named value chosen per submission (Azure ML `PipelineParameter`): a pipeline input with a
 * default. Use it in a step's `arguments` (or `inputs`); override it with `pipelineParameters`
 * at submit, `--set` on the CLI or `ParameterAssignments` on a published endpoint.
 *
 * @example
 * const epochs = new PipelineParameter({ name: 'epochs', defaultValue: 200 });   // integer
 * const lr = new PipelineParameter({ name: 'learning_rate', defaultValue: 0.5 }); // number
 * new PythonScriptStep({ ..., arguments: ['--epochs', epochs, '--learning-rate', lr] });
 */
export class PipelineParameter {
  readonly name: string;
  readonly defaultValue: ScalarValue;
  readonly type: ScalarType;
  readonly description?: string;

  constructor(options: PipelineParameterOptions) {
    const label = objectLabel('PipelineParameter', options?.name);
    const o = parseOptions(optionsSchema, options, label);
    this.name = o.name;
    this.defaultValue = o.defaultValue;
    this.type = o.type ?? inferType(o.defaultValue);
    const problem = mismatch(this.type, o.defaultValue);
    if (problem) throw new ValidationError(`${label}.defaultValue: ${problem}`, `${label}.defaultValue`);
    if (o.description !== undefined) this.description = o.description;
  }

  toInputSpec(): PipelineInputSpec {
    return { type: this.type, default: this.defaultValue, ...(this.description !== undefined ? { description: this.description } : {}) };
  }
}
