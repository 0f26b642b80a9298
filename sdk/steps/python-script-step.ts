import { statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { StepDefinition } from '../../shared/model/definition';
import { objectLabel, parseOptions } from '../validate';
import { argumentSchema, argumentsTemplate, shellQuote, type StepArgument } from './arguments';
import { StepPorts } from './ports';
import { checkFolder, processShape, runSettings, Step, type ProcessStepOptions, type StepCompileContext, type StepInput } from './step';

export interface PythonScriptStepOptions extends ProcessStepOptions {
  /** The script to run, relative to `sourceDirectory`. */
  scriptName: string;
  /** Command-line arguments: strings and numbers as they are, data and parameters as their local paths and values. */
  arguments?: StepArgument[];
  /** The folder snapshotted for the step and the process's working folder; resolved against the current directory. */
  sourceDirectory: string;
}

/** A path inside the source folder: relative, without `..`. */
export const relativeFile = z
  .string()
  .min(1)
  .refine((p) => !path.isAbsolute(p) && !p.split(/[\\/]/).includes('..'), { error: 'must be a path inside sourceDirectory (relative, without "..")' });

const optionsSchema = z.strictObject({
  ...processShape,
  scriptName: relativeFile,
  arguments: z.array(argumentSchema).optional(),
  sourceDirectory: z.string().min(1),
});

/**
 * Runs a Python script from a source folder (Azure ML `PythonScriptStep`): the command is
 * `python <scriptName> <arguments...>` with data and parameters filled in per run.
 *
 * @example
 * const prepared = new PipelineData('prepared');
 * const prep = new PythonScriptStep({
 *   name: 'prep',
 *   scriptName: 'prep.py',
 *   arguments: ['--raw', rawData, '--seed', 7, '--out', prepared],
 *   inputs: [rawData],
 *   outputs: [prepared],
 *   computeTarget: 'cpu-cluster',
 *   sourceDirectory: './src',
 *   allowReuse: true,
 * });
 */
export class PythonScriptStep extends Step {
  readonly scriptName: string;
  readonly arguments: readonly StepArgument[];
  /** Absolute path of the source folder. */
  readonly sourceDirectory: string;
  readonly #settings: ReturnType<typeof runSettings>;

  constructor(options: PythonScriptStepOptions) {
    const label = objectLabel('PythonScriptStep', options?.name);
    const o = parseOptions(optionsSchema, options, label);
    super(label, o);
    this.scriptName = o.scriptName;
    this.arguments = o.arguments ?? [];
    this.sourceDirectory = path.resolve(o.sourceDirectory);
    this.#settings = runSettings(o);
  }

  override reads(): StepInput[] {
    return [...this.inputs, ...this.arguments.filter((arg): arg is StepInput => typeof arg === 'object')];
  }

  compile(ctx: StepCompileContext): StepDefinition | undefined {
    const before = ctx.problems.size;
    const ports = StepPorts.of(this, ctx);
    const args = argumentsTemplate(this.arguments, ports, ctx, 'arguments');
    if (checkFolder(ctx, this.sourceDirectory, 'source directory') && !statSync(path.join(this.sourceDirectory, this.scriptName), { throwIfNoEntry: false })?.isFile()) {
      ctx.problems.add(`script '${this.scriptName}' not found in ${this.sourceDirectory}`, ctx.at);
    }
    return this.finish(ctx, before, 'command', ports, () => ({
      command: ['python', shellQuote(this.scriptName), args ?? ''].filter((part) => part !== '').join(' '),
      codeDir: this.sourceDirectory,
      ...this.#settings,
    }));
  }
}
