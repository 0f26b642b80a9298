/**
 * Azure ML command components: `component: ./file.yml` (or `file:./file.yml`) read relative to
 * the pipeline YAML, or an inline `component: {...}` mapping. Each file is read and checked once,
 * however many jobs use it; its problems point into the component file.
 */
import path from 'node:path';
import type { EnvironmentSpec, InputType, ScalarValue, StepOutputSpec } from '../definition';
import { coerceLiteral, describeValue } from '../parameters';
import type { CompileContext } from './files';
import { Place, YamlSource } from './read';
import { componentInputSchema, componentSchema } from './schema';
import { checkCommand, resolveCode, resolveEnvironment } from './sources';
import { checkName, isMapping, parseAt, warnIgnored } from './validate';

export interface ComponentInput {
  type: InputType;
  optional: boolean;
  default?: ScalarValue;
}

export interface Component {
  displayName?: string;
  command: string;
  codeDir?: string;
  environment?: EnvironmentSpec;
  inputs: Record<string, ComponentInput>;
  outputs: Record<string, StepOutputSpec>;
  /** Azure ML `is_deterministic`; false means results are never reused. */
  isDeterministic?: boolean;
}

export class ComponentLoader {
  private readonly files = new Map<string, Promise<Component | undefined | 'missing'>>();

  constructor(private readonly ctx: CompileContext) {}

  /** The component a job refers to at `place` (its `component:` key); undefined after reporting why not. */
  async load(ref: string | Record<string, unknown>, place: Place): Promise<Component | undefined> {
    if (typeof ref !== 'string') return parseComponent(this.ctx, ref, place);
    const written = ref.startsWith('file:') ? ref.slice('file:'.length) : ref;
    if (written.startsWith('azureml:') || /^[a-z][a-z0-9+.-]*:\/\//i.test(written)) {
      place.problem(this.ctx.problems, `only local component files are supported, got ${JSON.stringify(ref)} (save the component YAML next to the pipeline and write component: ./NAME.yml)`);
      return undefined;
    }
    const file = path.join(path.dirname(place.source.file), written);
    const absolute = path.resolve(file);
    let loading = this.files.get(absolute);
    if (!loading) {
      loading = this.read(file, absolute);
      this.files.set(absolute, loading);
    }
    const component = await loading;
    if (component !== 'missing') return component;
    place.problem(this.ctx.problems, `component file ${absolute} not found (paths are relative to the folder of ${place.source.file})`);
    return undefined;
  }

  private async read(file: string, absolute: string): Promise<Component | undefined | 'missing'> {
    const text = await this.ctx.files.readText(absolute);
    if (text === undefined) return 'missing';
    const source = YamlSource.read(text, file, this.ctx.problems, this.ctx.warn);
    return source && parseComponent(this.ctx, source.data, new Place(source));
  }
}

/** The component at `place`; undefined when anything in it is wrong (jobs using it are then not checked further). */
async function parseComponent(ctx: CompileContext, value: unknown, place: Place): Promise<Component | undefined> {
  const problemsBefore = ctx.problems.size;
  if (isMapping(value) && value.type !== undefined && value.type !== 'command') {
    place.at('type').problem(ctx.problems, `component type ${describeValue(value.type)} is not supported (Tributary runs command components)`);
    return undefined;
  }
  const data = parseAt(componentSchema, value, place, ctx.problems);
  if (!data) return undefined;
  warnIgnored(componentSchema, data, place, ctx.warn);
  const inputs = new Map<string, ComponentInput>();
  for (const [name, input] of Object.entries(data.inputs ?? {})) {
    const at = place.at('inputs', name);
    checkName(name, at, ctx.problems);
    warnIgnored(componentInputSchema, input, at, ctx.warn);
    const spec: ComponentInput = { type: input.type, optional: input.optional ?? false };
    if (input.default !== undefined && (input.type === 'uri_folder' || input.type === 'uri_file')) {
      at.at('default').problem(ctx.problems, `a ${input.type} input takes no default here (bind it in the pipeline job's inputs)`);
    } else if (input.default !== undefined) {
      const value = coerceLiteral(input.type, input.default);
      if (value === undefined) at.at('default').problem(ctx.problems, `wrong parameter type: expected ${input.type}, got ${describeValue(input.default)}`);
      else spec.default = value;
    }
    inputs.set(name, spec);
  }
  const outputs = new Map<string, StepOutputSpec>();
  for (const [name, output] of Object.entries(data.outputs ?? {})) {
    checkName(name, place.at('outputs', name), ctx.problems);
    outputs.set(name, { type: output?.type ?? 'uri_folder', ...(output?.mode ? { mode: output.mode } : {}) });
  }
  const codeDir = data.code === undefined ? undefined : await resolveCode(ctx, place.at('code'), data.code);
  const environment = data.environment === undefined ? undefined : await resolveEnvironment(ctx, place.at('environment'), data.environment);
  await checkCommand(ctx, place.at('command'), data.command, { inputs: [...inputs.keys()], outputs: [...outputs.keys()] }, codeDir);
  if (ctx.problems.size > problemsBefore) return undefined;
  return {
    ...(data.display_name !== undefined ? { displayName: data.display_name } : {}),
    command: data.command,
    ...(codeDir !== undefined ? { codeDir } : {}),
    ...(environment !== undefined ? { environment } : {}),
    inputs: Object.fromEntries(inputs),
    outputs: Object.fromEntries(outputs),
    ...(data.is_deterministic !== undefined ? { isDeterministic: data.is_deterministic } : {}),
  };
}
