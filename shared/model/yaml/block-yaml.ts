/**
 * A fast reader for the plain block YAML that pipeline files are nearly always written in:
 * mappings and lists by indentation, one-line plain and quoted scalars, `|` and `>` block
 * scalars, comments. It notes the line of every key and list item as it goes, so no second pass
 * is needed to name lines in messages. Anything else (anchors, tags, flow collections, multi-line
 * plain or quoted scalars, escapes, duplicate keys, anything malformed) gives undefined: the file
 * is then read by the full YAML library, which handles every feature and reports every error.
 * Plain scalars resolve as in YAML 1.2's core schema, exactly as that library resolves them.
 */
import type { ParsedYaml, PathSeg } from './yaml-path';

/** Where a key or list item starts, and the same for what its value contains. */
interface Located {
  line: number;
  inner?: Map<string, Located> | Located[] | undefined;
}

interface Line {
  /** 1-based line number in the file. */
  number: number;
  indent: number;
  /** The line after its indentation, trailing spaces included. */
  text: string;
  /** Neither blank nor a comment. */
  significant: boolean;
}

/** Thrown inside the reader at the first thing it does not handle; never escapes. */
const UNSUPPORTED = Symbol('unsupported');

/** Characters the reader leaves to the full library: tabs, carriage returns, a BOM, controls, Unicode line breaks. */
const AWKWARD_CHARACTERS = /[\t\r\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]/;
/** Keys that resolve to strings and need no quoting. */
const PLAIN_KEY = /^[A-Za-z_$][A-Za-z0-9_$./-]{0,999}$/;
const NON_STRING_KEYS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '__proto__']);
/** Characters that cannot start a plain scalar (or start something this reader leaves alone). */
const PLAIN_FIRST_EXCLUDED = new Set([...'&*!%@`,[]{}#|>\'"']);
const BLOCK_HEADER = /^([|>])(-?)( +#.*)?$/;
const AFTER_QUOTE = /^( +(#.*)?)?$/;
const SPACE = 0x20;

export function readBlockYaml(text: string): ParsedYaml | undefined {
  if (AWKWARD_CHARACTERS.test(text)) return undefined;
  const lines = text.split('\n').map((raw, i): Line => {
    let indent = 0;
    while (raw.charCodeAt(indent) === SPACE) indent++;
    const rest = raw.slice(indent);
    return { number: i + 1, indent, text: rest, significant: rest !== '' && !rest.startsWith('#') };
  });
  try {
    return new BlockReader(lines).document();
  } catch (err) {
    if (err === UNSUPPORTED) return undefined;
    throw err;
  }
}

function unsupported(): never {
  throw UNSUPPORTED;
}

class BlockReader {
  private next = 0;

  constructor(private readonly lines: Line[]) {}

  document(): ParsedYaml {
    const first = this.peek();
    if (!first || isListItem(first.text)) unsupported();
    const { value, located } = this.mapping(first.indent);
    if (this.peek()) unsupported();
    const root: Located = { line: first.number, ...located };
    return { data: value, line: (path) => lineAt(root, path) };
  }

  /** The next line that is neither blank nor a comment, left unread; undefined at the end. */
  private peek(): Line | undefined {
    for (; this.next < this.lines.length; this.next++) {
      const line = this.lines[this.next]!;
      if (line.significant) {
        if (line.indent === 0 && /^(---|\.\.\.)( |$)/.test(line.text)) unsupported();
        return line;
      }
    }
    return undefined;
  }

  private collection(indent: number): { value: unknown; located: Pick<Located, 'inner'> } {
    return isListItem(this.peek()!.text) ? this.list(indent) : this.mapping(indent);
  }

  private mapping(indent: number): { value: Record<string, unknown>; located: Pick<Located, 'inner'> } {
    const value: Record<string, unknown> = {};
    const inner = new Map<string, Located>();
    for (let line = this.peek(); line && line.indent >= indent; line = this.peek()) {
      if (line.indent > indent || isListItem(line.text)) unsupported();
      const colon = line.text.indexOf(':');
      const key = line.text.slice(0, colon);
      const after = line.text[colon + 1];
      if (colon < 0 || (after !== undefined && after !== ' ') || !PLAIN_KEY.test(key) || NON_STRING_KEYS.has(key) || inner.has(key)) unsupported();
      this.next++;
      const entry = this.value(line.text.slice(colon + 1), indent, 'key');
      value[key] = entry.value;
      inner.set(key, { line: line.number, inner: entry.located?.inner });
    }
    return { value, located: { inner } };
  }

  private list(indent: number): { value: unknown[]; located: Pick<Located, 'inner'> } {
    const value: unknown[] = [];
    const inner: Located[] = [];
    for (let line = this.peek(); line && line.indent === indent && isListItem(line.text); line = this.peek()) {
      const rest = line.text.slice(1);
      const content = rest.trimStart();
      const column = indent + 1 + rest.length - content.length;
      if (startsCompactCollection(content)) {
        // `- key: value` / `- - item`: a collection starting on the item's line, at the column of its content.
        this.lines[this.next] = { ...line, indent: column, text: content };
        const item = this.collection(column);
        value.push(item.value);
        inner.push({ line: line.number, ...item.located });
        continue;
      }
      this.next++;
      const item = this.value(rest, indent, 'item');
      value.push(item.value);
      inner.push(item.located ?? { line: line.number });
    }
    return { value, located: { inner } };
  }

  /**
   * The value after a `key:` or a list item's `-` (`rest`, still with its leading spaces), at
   * `indent`: on the same line, a block scalar below it, or a collection on the lines below (a
   * key's list may also start at the key's own indent). `located` is set when the value is a
   * collection below: its first line, and what it contains.
   */
  private value(rest: string, indent: number, of: 'key' | 'item'): { value: unknown; located?: Located } {
    const text = rest.trimStart();
    if (text.trimEnd() === '' || text.startsWith('#')) {
      const below = this.peek();
      const nested = below && (below.indent > indent || (of === 'key' && below.indent === indent && isListItem(below.text)));
      if (!nested) {
        // An empty list item is a null placed after its dash, which this reader does not locate.
        if (of === 'item') unsupported();
        return { value: null };
      }
      const { value, located } = this.collection(below.indent);
      return { value, located: { line: below.number, ...located } };
    }
    const value = text.startsWith('|') || text.startsWith('>') ? this.blockScalar(text, indent) : inlineScalar(text);
    const below = this.peek();
    // A more indented line below a one-line value continues it (or is an error): left to the library.
    if (below && below.indent > indent) unsupported();
    return { value };
  }

  /** A `|` (literal) or `>` (folded) block scalar, clipped or stripped (`-`), from the lines below its header. */
  private blockScalar(header: string, indent: number): string {
    const match = BLOCK_HEADER.exec(header.trimEnd()) ?? unsupported();
    const folded = match[1] === '>';
    const strip = match[2] === '-';
    const first = this.lines[this.next];
    if (!first || first.text === '' || first.indent <= indent) unsupported();
    const contentIndent = first.indent;
    const body: string[] = [];
    let end = this.next;
    for (; end < this.lines.length; end++) {
      const line = this.lines[end]!;
      if (line.text === '') {
        if (line.indent > contentIndent) unsupported();
        body.push('');
      } else if (line.indent >= contentIndent) {
        const content = ' '.repeat(line.indent - contentIndent) + line.text;
        if (folded && content.startsWith(' ')) unsupported();
        body.push(content);
      } else {
        break;
      }
    }
    this.next = end;
    while (body[body.length - 1] === '') body.pop();
    const joined = folded ? fold(body) : body.join('\n');
    return strip ? joined : `${joined}\n`;
  }
}

function isListItem(text: string): boolean {
  return text.startsWith('- ') || text.trimEnd() === '-';
}

/** True when a list item's content opens a mapping (`key: …`) or another list on the item's own line. */
function startsCompactCollection(content: string): boolean {
  if (isListItem(content)) return true;
  const colon = content.indexOf(':');
  if (colon < 0) return false;
  const after = content[colon + 1];
  const opensMapping = (after === undefined || after === ' ') && PLAIN_KEY.test(content.slice(0, colon));
  if (!opensMapping && content.includes(': ')) unsupported();
  return opensMapping;
}

/** Folds the lines of a `>` scalar: single line breaks become spaces, each blank line a line break. */
function fold(body: string[]): string {
  let out = body[0] ?? '';
  let blanks = 0;
  for (const line of body.slice(1)) {
    if (line === '') {
      blanks++;
      continue;
    }
    out += blanks > 0 ? '\n'.repeat(blanks) : ' ';
    out += line;
    blanks = 0;
  }
  return out;
}

/** A plain or quoted scalar that ends on its line (`text` starts at its first character). */
function inlineScalar(text: string): unknown {
  if (text.startsWith('"')) {
    const end = text.indexOf('"', 1);
    const content = text.slice(1, end);
    if (end < 0 || content.includes('\\') || !AFTER_QUOTE.test(text.slice(end + 1))) unsupported();
    return content;
  }
  if (text.startsWith("'")) {
    let end = 1;
    for (; end < text.length; end++) {
      if (text[end] !== "'") continue;
      if (text[end + 1] !== "'") break;
      end++;
    }
    if (end >= text.length || !AFTER_QUOTE.test(text.slice(end + 1))) unsupported();
    return text.slice(1, end).replaceAll("''", "'");
  }
  const first = text[0]!;
  if (PLAIN_FIRST_EXCLUDED.has(first) || ('-?:'.includes(first) && (text.length === 1 || text[1] === ' '))) unsupported();
  const comment = text.indexOf(' #');
  const plain = (comment < 0 ? text : text.slice(0, comment)).trimEnd();
  if (plain.includes(': ') || plain.endsWith(':')) unsupported();
  return resolvePlain(plain);
}

/** YAML 1.2 core schema, tried in the order the YAML library tries it. */
function resolvePlain(text: string): unknown {
  if (/^(?:~|[Nn]ull|NULL)?$/.test(text)) return null;
  if (/^(?:[Tt]rue|TRUE)$/.test(text)) return true;
  if (/^(?:[Ff]alse|FALSE)$/.test(text)) return false;
  if (/^0o[0-7]+$/.test(text)) return parseInt(text.slice(2), 8);
  if (/^[-+]?[0-9]+$/.test(text)) return parseInt(text, 10);
  if (/^0x[0-9a-fA-F]+$/.test(text)) return parseInt(text.slice(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(text)) {
    return text.slice(-3).toLowerCase() === 'nan' ? NaN : text.startsWith('-') ? -Infinity : Infinity;
  }
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(text) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(text)) return parseFloat(text);
  return text;
}

function lineAt(root: Located, path: readonly PathSeg[]): number {
  let node = root;
  for (const seg of path) {
    const inner = node.inner;
    const next = inner instanceof Map ? inner.get(String(seg)) : inner && typeof seg === 'number' ? inner[seg] : undefined;
    if (!next) break;
    node = next;
  }
  return node.line;
}
