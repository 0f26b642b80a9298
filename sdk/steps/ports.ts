/**
 * A step's inputs and outputs as they go into its definition: each SDK object becomes a named,
 * typed, bound input (or an output), and an object used in arguments becomes its placeholder.
 */
import type { StepInputSpec, StepOutputSpec } from '../../shared/model/definition';
import { DataReference } from '../data';
import { PipelineParameter } from '../parameters';
import { InputPortBinding, PipelineData } from '../pipeline-data';
import type { Step, StepCompileContext, StepInput } from './step';

type Source = PipelineData | DataReference | PipelineParameter;
/** What an input name is bound to: an object, or a literal value. */
type Bound = Source | string;

function unwrap(item: StepInput): { source: Source; name: string } {
  if (item instanceof InputPortBinding) return { source: item.data, name: item.inputName };
  if (item instanceof DataReference) return { source: item, name: item.dataReferenceName };
  return { source: item, name: item.name };
}

function describe(source: Bound): string {
  if (typeof source === 'string') return `the value ${JSON.stringify(source)}`;
  if (source instanceof PipelineData) return `PipelineData "${source.name}"`;
  if (source instanceof DataReference) return `DataReference "${source.dataReferenceName}"`;
  return `PipelineParameter "${source.name}"`;
}

export class StepPorts {
  readonly inputs: Record<string, StepInputSpec> = {};
  readonly outputs: Record<string, StepOutputSpec> = {};
  /** Input name → the object bound to it and where it was first used. */
  readonly #bound = new Map<string, { source: Bound; at: string }>();
  readonly #written = new Set<PipelineData>();

  constructor(
    private readonly step: Step,
    private readonly ctx: StepCompileContext,
  ) {}

  /** Declares every input and output the step lists. */
  static of(step: Step, ctx: StepCompileContext): StepPorts {
    const ports = new StepPorts(step, ctx);
    step.outputs.forEach((data, i) => ports.addOutput(data, `${ctx.at}.outputs[${i}]`));
    step.inputs.forEach((item, i) => ports.addInput(item, `${ctx.at}.inputs[${i}]`));
    return ports;
  }

  addOutput(data: PipelineData, at: string): void {
    if (this.#written.has(data)) return;
    if (Object.hasOwn(this.outputs, data.name)) {
      this.ctx.problems.add(`two outputs are named "${data.name}" (give the PipelineData objects different names)`, at);
      return;
    }
    this.#written.add(data);
    this.outputs[data.name] = data.outputSpec();
  }

  /**
   * Declares an input, named after the object unless `as` is given; returns its name, or
   * undefined when it cannot be bound (a problem was added).
   */
  addInput(item: StepInput, at: string, as?: string): string | undefined {
    const { source, name: ownName } = unwrap(item);
    const name = as ?? ownName;
    const first = this.#bound.get(name);
    if (first?.source === source) return name;
    if (first?.source instanceof PipelineParameter && source instanceof PipelineParameter && first.source.name === source.name && name === source.name) {
      // Two PipelineParameter objects of one name are one pipeline input, if the pipeline finds they agree.
      this.ctx.useParameter(source, at);
      return name;
    }
    if (first) {
      this.ctx.problems.add(
        `input name "${name}" is taken by ${describe(first.source)} at ${first.at}; ${describe(source)} needs another name` +
          (source instanceof PipelineData ? ` (use .asInput('other_name'))` : ''),
        at,
      );
      return undefined;
    }
    const spec = this.#spec(source, at);
    if (!spec) return undefined;
    this.#bound.set(name, { source, at });
    this.inputs[name] = spec;
    return name;
  }

  /** Declares a string input with a fixed value (e.g. a Databricks notebook parameter). */
  addLiteral(name: string, value: string, at: string): void {
    const first = this.#bound.get(name);
    if (first) return this.#reject(at, `input name "${name}" is taken by ${describe(first.source)} at ${first.at}`);
    this.#bound.set(name, { source: value, at });
    this.inputs[name] = { type: 'string', optional: false, binding: { kind: 'literal', type: 'string', value } };
  }

  /**
   * The `${{inputs.NAME}}` / `${{outputs.NAME}}` placeholder for an object in a step's arguments.
   * An output of this step gives its output placeholder; anything else is an input, added when
   * the step does not list it.
   */
  placeholder(item: StepInput, at: string): string | undefined {
    if (item instanceof PipelineData && this.#written.has(item)) return `\${{outputs.${item.name}}}`;
    if (item instanceof InputPortBinding) {
      const name = this.addInput(item, at);
      return name === undefined ? undefined : `\${{inputs.${name}}}`;
    }
    const names = [...this.#bound].filter(([, use]) => use.source === item).map(([name]) => name);
    if (names.length > 1) {
      this.ctx.problems.add(`${describe(item)} is an input under several names (${names.join(', ')}); use the .asInput(...) object here`, at);
      return undefined;
    }
    const name = names[0] ?? this.addInput(item, at);
    return name === undefined ? undefined : `\${{inputs.${name}}}`;
  }

  #spec(source: Source, at: string): StepInputSpec | undefined {
    if (source instanceof PipelineParameter) {
      this.ctx.useParameter(source, at);
      return { type: source.type, optional: false, binding: { kind: 'pipelineInput', name: source.name } };
    }
    if (source instanceof DataReference) {
      const resolved = source.toBinding();
      if ('problem' in resolved) return this.#reject(at, resolved.problem);
      return { type: resolved.type, optional: false, binding: resolved.binding };
    }
    const producer = source.producer;
    if (!producer) return this.#reject(at, `PipelineData "${source.name}" is not an output of any step (add it to the outputs of the step that writes it)`);
    if (producer === this.step) return this.#reject(at, `PipelineData "${source.name}" is both an input and an output of this step`);
    if (!this.ctx.includes(producer)) {
      return this.#reject(at, `PipelineData "${source.name}" is written by step "${producer.name}", which is not in this pipeline (add that step to steps)`);
    }
    const type = source.isFile ? 'uri_file' : 'uri_folder';
    return { type, optional: false, binding: { kind: 'stepOutput', step: producer.name, output: source.name } };
  }

  #reject(at: string, problem: string): undefined {
    this.ctx.problems.add(problem, at);
    return undefined;
  }
}
