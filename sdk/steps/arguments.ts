/**
 * Step arguments (Azure ML `arguments=[...]`) as a command template: literal strings and numbers
 * become shell words, quoted only when needed; data and parameter objects become `${{inputs.x}}` /
 * `${{outputs.y}}` placeholders, which `renderCommand` fills and quotes per run.
 */
import { z } from 'zod';
import type { StepPorts } from './ports';
import { stepInputSchema, type StepCompileContext, type StepInput } from './step';

export type StepArgument = string | number | StepInput;

export const argumentSchema = z.union([z.string(), z.number(), stepInputSchema], {
  error: 'expected a string, a finite number, a PipelineData (or .asInput(...)), a DataReference or a PipelineParameter',
});

/** Words a POSIX shell reads as they are. */
const PLAIN_WORD = /^[A-Za-z0-9_.\/:=,+@%-]+$/;

/** `text` as one shell word: as it is when plain, else in single quotes. */
export function shellQuote(text: string): string {
  return PLAIN_WORD.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Markers the command template would read as a placeholder or an optional section. */
const TEMPLATE_MARKER = /\$\{\{|\$\[\[/;

/**
 * The arguments as one template string (words joined by spaces), or undefined when one of them
 * is a problem (added at `<step>.<field>[i]`).
 */
export function argumentsTemplate(args: readonly StepArgument[], ports: StepPorts, ctx: StepCompileContext, field: string): string | undefined {
  const words: string[] = [];
  let ok = true;
  args.forEach((arg, i) => {
    const at = `${ctx.at}.${field}[${i}]`;
    if (typeof arg === 'number') {
      words.push(String(arg));
    } else if (typeof arg === 'string') {
      if (TEMPLATE_MARKER.test(arg)) {
        ctx.problems.add(`${JSON.stringify(arg)} contains "\${{" or "$[[", which would be read as a placeholder (pass the PipelineData, DataReference or PipelineParameter object instead)`, at);
        ok = false;
      } else {
        words.push(shellQuote(arg));
      }
    } else {
      const placeholder = ports.placeholder(arg, at);
      if (placeholder === undefined) ok = false;
      else words.push(placeholder);
    }
  });
  return ok ? words.join(' ') : undefined;
}
