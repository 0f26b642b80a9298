/**
 * Command templates in Azure ML syntax: `${{inputs.x}}` and `${{outputs.y}}` placeholders, and
 * `$[[ ... ]]` optional sections that are kept only when every input they use has a value.
 * Environment variable values use the same syntax; no shell reads them, so values go in as they are.
 *
 * Rendering is the security boundary between parameter values (which callers of a published
 * endpoint choose) and the shell that runs the command, so values are escaped for the exact
 * quoting context they land in; where that context cannot be known for sure, only values made of
 * harmless characters are allowed.
 */
import { ProblemList, ValidationError } from '../errors';

type Ref = { scope: 'inputs' | 'outputs'; name: string; raw: string };
type Piece = { text: string } | { ref: Ref };
type Part = Piece | { optional: Piece[] };

interface ParsedTemplate {
  parts: Part[];
  problems: string[];
}

const EXPRESSION = /^\s*(inputs|outputs)\.([A-Za-z_][A-Za-z0-9_-]*)\s*$/;

function parseTemplate(template: string): ParsedTemplate {
  const parts: Part[] = [];
  const problems: string[] = [];
  let section: Piece[] | undefined;
  const push = (piece: Piece) => (section ?? parts).push(piece);
  let i = 0;
  while (i < template.length) {
    const next = nextMarker(template, i, section !== undefined);
    if (next.index > i) push({ text: template.slice(i, next.index) });
    if (next.marker === undefined) break;
    i = next.index + 3;
    if (next.marker === '${{') {
      const end = template.indexOf('}}', i);
      if (end < 0) {
        problems.push('"${{" is never closed (write ${{inputs.NAME}} or ${{outputs.NAME}})');
        push({ text: template.slice(next.index) });
        break;
      }
      const raw = template.slice(next.index, end + 2);
      const match = EXPRESSION.exec(template.slice(i, end));
      if (match) push({ ref: { scope: match[1] === 'inputs' ? 'inputs' : 'outputs', name: match[2]!, raw } });
      else problems.push(`unsupported expression ${raw} (a command can use \${{inputs.NAME}} and \${{outputs.NAME}})`);
      i = end + 2;
    } else if (next.marker === '$[[') {
      if (section) problems.push('"$[[" inside another "$[[ ... ]]" section (optional sections cannot be nested)');
      else parts.push({ optional: (section = []) });
    } else {
      section = undefined;
      i = next.index + 2;
    }
  }
  if (section) problems.push('"$[[" is never closed with "]]"');
  return { parts, problems };
}

const MARKER = /\$\{\{|\$\[\[|\]\]/g;

/** The first marker at or after `from` (`]]` counts only inside a section); one scan, so long commands stay linear. */
function nextMarker(template: string, from: number, inSection: boolean): { index: number; marker?: '${{' | '$[[' | ']]' } {
  MARKER.lastIndex = from;
  for (let match = MARKER.exec(template); match; match = MARKER.exec(template)) {
    const marker = match[0] as '${{' | '$[[' | ']]';
    if (marker !== ']]' || inSection) return { index: match.index, marker };
    MARKER.lastIndex = match.index + 1;
  }
  return { index: template.length };
}

/**
 * Names a template refers to, and what is malformed in it (unclosed markers, unsupported
 * expressions). `required`: the inputs used outside `$[[ ... ]]`, which must have a value.
 */
export function referencedNames(template: string): { inputs: Set<string>; outputs: Set<string>; required: Set<string>; problems: string[] } {
  return simpleReferences(template) ?? referencesOfParts(template);
}

const REFERENCE = /\$\{\{\s*(inputs|outputs)\.([A-Za-z_][A-Za-z0-9_-]*)\s*\}\}/g;

/** The common case in one regex pass: no `$[[` section, and every `${{` a well-formed reference. Undefined otherwise. */
function simpleReferences(template: string): ReturnType<typeof referencedNames> | undefined {
  if (template.includes('$[[')) return undefined;
  const inputs = new Set<string>();
  const outputs = new Set<string>();
  let found = 0;
  for (const match of template.matchAll(REFERENCE)) {
    found++;
    (match[1] === 'inputs' ? inputs : outputs).add(match[2]!);
  }
  return found === template.split('${{').length - 1 ? { inputs, outputs, required: inputs, problems: [] } : undefined;
}

function referencesOfParts(template: string): ReturnType<typeof referencedNames> {
  const { parts, problems } = parseTemplate(template);
  const inputs = new Set<string>();
  const outputs = new Set<string>();
  const required = new Set<string>();
  for (const part of parts) {
    for (const piece of 'optional' in part ? part.optional : [part]) {
      if (!('ref' in piece)) continue;
      (piece.ref.scope === 'inputs' ? inputs : outputs).add(piece.ref.name);
      if (!('optional' in part) && piece.ref.scope === 'inputs') required.add(piece.ref.name);
    }
  }
  return { inputs, outputs, required, problems };
}

/** Values inserted without any quoting: nothing here means anything to a POSIX shell. */
const PLAIN_VALUE = /^[A-Za-z0-9_.\/:=,+@%-]+$/;

/** True when `value` goes into a command as it is, wherever it lands (see `renderCommand`). */
export function isPlainValue(value: string | number | boolean): boolean {
  return PLAIN_VALUE.test(display(value));
}

/**
 * Where the next inserted value lands, in the POSIX shell that runs the command. Top level,
 * '...' and "..." are tracked exactly. Anything harder to follow ($(...), backquotes, ${...},
 * $'...', here-documents, an unfinished escape) turns the rest of the command `opaque`;
 * a comment lasts to the end of its line.
 */
class ShellContext {
  state: 'plain' | 'single' | 'double' | 'comment' | 'opaque' = 'plain';
  private wordStart = true;

  advance(text: string): void {
    for (let i = 0; i < text.length && this.state !== 'opaque'; i++) {
      const c = text[i]!;
      const next = text[i + 1];
      if (this.state === 'comment') {
        if (c === '\n') this.state = 'plain';
      } else if (this.state === 'single') {
        if (c === "'") this.state = 'plain';
      } else if (c === '\\') {
        if (next === undefined) this.state = 'opaque';
        i++;
      } else if (c === '"') {
        this.state = this.state === 'plain' ? 'double' : 'plain';
      } else if (c === '$' || c === '`') {
        SIMPLE_EXPANSION.lastIndex = i;
        const simple = SIMPLE_EXPANSION.exec(text);
        if (simple) i += simple[0].length - 1;
        else if (c === '`' || next === undefined || "({'\"".includes(next)) this.state = 'opaque';
      } else if (this.state === 'plain') {
        if (c === "'") this.state = 'single';
        else if (c === '#' && this.wordStart) this.state = 'comment';
        else if (c === '<' && next === '<') this.state = 'opaque';
      }
      this.wordStart = endsWord(c);
    }
  }

  /** The value as shell text that means exactly `value` here, or undefined when that is not certain. */
  quote(value: string): string | undefined {
    if (PLAIN_VALUE.test(value)) return value;
    switch (this.state) {
      case 'plain':
        return `'${value.replaceAll("'", `'\\''`)}'`;
      case 'single':
        return value.replaceAll("'", `'\\''`);
      case 'double':
        return value.replace(/[\\"$`]/g, '\\$&');
      default:
        return undefined;
    }
  }

  inserted(): void {
    this.wordStart = false;
  }
}

/** `$NAME`, `${NAME}`, `$(cmd)` and backquotes whose body cannot hide quotes or nesting: skipped over (matched where `lastIndex` is). */
const SIMPLE_EXPANSION = /(?:\$[A-Za-z0-9_@*#?$!-]|\$\([^'"`$()\\\n]*\)|\$\{[^'"`${}\\\n]*\}|`[^'"`$\\\n]*`)/y;

/** ASCII characters after which a word starts: whitespace and shell operators. */
const WORD_ENDS_ASCII = new Set([...' \t\n\v\f\r;&|()<>']);

/** True for whitespace (as `\s`) and the shell operators `;&|()<>`; called per character, so ASCII is a set lookup. */
function endsWord(c: string): boolean {
  return c < '\x80' ? WORD_ENDS_ASCII.has(c) : /\s/.test(c);
}

/**
 * Azure ML hands values to commands as Python would print them, so booleans render as `True` and
 * `False` (Python `str(True)`), numbers in their shortest form.
 */
function display(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  return String(value);
}

type TemplateValues = { inputs: Record<string, string | number | boolean | undefined>; outputs: Record<string, string> };

/** Parses `template` and checks that it refers only to names `values` has; `what` names the field in messages. */
function parseChecked(template: string, values: TemplateValues, origin: string, what: string): Part[] {
  const { parts, problems: syntax } = parseTemplate(template);
  const problems = new ProblemList();
  for (const problem of syntax) problems.add(`${what}: ${problem}`, origin);
  for (const part of parts) {
    for (const piece of 'optional' in part ? part.optional : [part]) {
      if ('ref' in piece && !Object.hasOwn(values[piece.ref.scope], piece.ref.name)) {
        const names = Object.keys(values[piece.ref.scope]);
        problems.add(`${what}: unknown reference ${piece.ref.raw} (known ${piece.ref.scope}: ${names.join(', ') || 'none'})`, origin);
      }
    }
  }
  problems.throwIfAny();
  return parts;
}

/** Emits each part, dropping a `$[[ ... ]]` section in which some input has no value. */
function renderParts(parts: Part[], values: TemplateValues, emit: (pieces: Piece[]) => void): void {
  for (const part of parts) {
    if (!('optional' in part)) emit([part]);
    else if (part.optional.every((p) => !('ref' in p) || values[p.ref.scope][p.ref.name] !== undefined)) emit(part.optional);
  }
}

function noValue(ref: Ref, origin: string, what: string): ValidationError {
  return new ValidationError(`${origin}: ${what}: ${ref.raw} has no value (bind input "${ref.name}", or put the part that uses it inside $[[ ... ]])`, origin);
}

/**
 * Renders a command template for one step run. Every `${{inputs.x}}` must name a key of
 * `values.inputs` (undefined: no value, allowed only inside `$[[ ... ]]`, which is then dropped)
 * and every `${{outputs.y}}` a key of `values.outputs`.
 *
 * @example
 * renderCommand('python train.py --lr ${{inputs.lr}} $[[--seed ${{inputs.seed}}]]',
 *   { inputs: { lr: 0.1, seed: undefined }, outputs: {} }, 'pipeline.yml:12')
 * // → 'python train.py --lr 0.1 '
 */
export function renderCommand(template: string, values: TemplateValues, origin: string): string {
  const parts = parseChecked(template, values, origin, 'command');
  const shell = new ShellContext();
  let out = '';
  renderParts(parts, values, (pieces) => {
    for (const piece of pieces) {
      if ('text' in piece) {
        shell.advance(piece.text);
        out += piece.text;
        continue;
      }
      const value = values[piece.ref.scope][piece.ref.name];
      if (value === undefined) throw noValue(piece.ref, origin, 'command');
      const quoted = shell.quote(display(value));
      if (quoted === undefined) {
        throw new ValidationError(
          `${origin}: command: the value of ${piece.ref.raw} has shell characters and sits where Tributary cannot quote it safely ` +
            `(inside $(...), backquotes, \${...}, $'...', a here-document or a comment); move ${piece.ref.raw} out of it`,
          origin,
        );
      }
      out += quoted;
      shell.inserted();
    }
  });
  return out;
}

/**
 * Renders a template that no shell reads (an environment variable's value): the same
 * `${{...}}` references and `$[[ ... ]]` sections as a command, values inserted as they are.
 * `what` names the field in messages (`environment_variables.SEED`).
 */
export function renderValue(template: string, values: TemplateValues, origin: string, what: string): string {
  const parts = parseChecked(template, values, origin, what);
  let out = '';
  renderParts(parts, values, (pieces) => {
    for (const piece of pieces) {
      if ('text' in piece) {
        out += piece.text;
        continue;
      }
      const value = values[piece.ref.scope][piece.ref.name];
      if (value === undefined) throw noValue(piece.ref, origin, what);
      out += display(value);
    }
  });
  return out;
}
