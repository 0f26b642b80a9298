import path from 'node:path';
import { z } from 'zod';
import { referencedNames } from '../../shared/model/command';
import type { StepDefinition } from '../../shared/model/definition';
import { objectLabel, parseOptions } from '../validate';
import { argumentSchema, argumentsTemplate, type StepArgument } from './arguments';
import { StepPorts } from './ports';
import { checkFolder, processShape, runSettings, Step, type ProcessStepOptions, type StepCompileContext, type StepInput } from './step';

export interface CommandStepOptions extends ProcessStepOptions {
  /**
   * What to run (by `bash -c`): a template in Azure ML syntax naming this step's inputs and
   * outputs (`${{inputs.NAME}}`, `${{outputs.NAME}}`, optional parts in `$[[ ... ]]`), or a list
   * of words and objects like PythonScriptStep `arguments`.
   */
  command: string | StepArgument[];
  /** Snapshotted and used as the working folder when given; resolved against the current directory. */
  sourceDirectory?: string;
}

const optionsSchema = z.strictObject({
  ...processShape,
  command: z.union([z.string().min(1, { error: 'the command is empty' }), z.array(argumentSchema).min(1, { error: 'the command list is empty' })], {
    error: 'expected a command string or a list of arguments',
  }),
  sourceDirectory: z.string().min(1).optional(),
});

/**
 * Runs any command (Azure ML `CommandStep`). Input names are those of the objects in `inputs`
 * (a PipelineData's name or `.asInput(name)`, a DataReference's `dataReferenceName`, a
 * PipelineParameter's name); output names are the PipelineData names.
 *
 * @example
 * const words = new PipelineData('words');
 * const count = new CommandStep({
 *   name: 'count',
 *   command: 'wc -w ${{inputs.text}} > ${{outputs.words}}/count.txt',
 *   inputs: [new DataReference({ localPath: './book.txt', dataReferenceName: 'text' })],
 *   outputs: [words],
 *   computeTarget: 'local',
 * });
 */
export class CommandStep extends Step {
  readonly command: string | readonly StepArgument[];
  /** Absolute path of the source folder, when given. */
  readonly sourceDirectory?: string;
  readonly #settings: ReturnType<typeof runSettings>;

  constructor(options: CommandStepOptions) {
    const label = objectLabel('CommandStep', options?.name);
    const o = parseOptions(optionsSchema, options, label);
    super(label, o);
    this.command = o.command;
    if (o.sourceDirectory !== undefined) this.sourceDirectory = path.resolve(o.sourceDirectory);
    this.#settings = runSettings(o);
  }

  override reads(): StepInput[] {
    const words = typeof this.command === 'string' ? [] : this.command.filter((arg): arg is StepInput => typeof arg === 'object');
    return [...this.inputs, ...words];
  }

  compile(ctx: StepCompileContext): StepDefinition | undefined {
    const before = ctx.problems.size;
    const ports = StepPorts.of(this, ctx);
    const command = typeof this.command === 'string' ? this.#checkTemplate(this.command, ports, ctx) : argumentsTemplate(this.command, ports, ctx, 'command');
    if (this.sourceDirectory !== undefined) checkFolder(ctx, this.sourceDirectory, 'source directory');
    return this.finish(ctx, before, 'command', ports, () => ({
      command: command ?? '',
      ...(this.sourceDirectory !== undefined ? { codeDir: this.sourceDirectory } : {}),
      ...this.#settings,
    }));
  }

  /** The template, after checking its syntax and that it names only this step's inputs and outputs. */
  #checkTemplate(template: string, ports: StepPorts, ctx: StepCompileContext): string {
    const refs = referencedNames(template);
    for (const problem of refs.problems) ctx.problems.add(problem, `${ctx.at}.command`);
    for (const [scope, names] of [['inputs', refs.inputs], ['outputs', refs.outputs]] as const) {
      const declared = Object.keys(ports[scope]);
      for (const name of names) {
        if (!declared.includes(name)) {
          ctx.problems.add(`\${{${scope}.${name}}} names no ${scope.slice(0, -1)} of this step (${scope}: ${declared.join(', ') || 'none'})`, `${ctx.at}.command`);
        }
      }
    }
    return template;
  }
}
