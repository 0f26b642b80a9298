/**
 * Reading one YAML file with positions kept: syntax errors and duplicate keys become problems
 * with `file:line[:col]`, and every later message can name the line of any key by its path.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { ProblemList } from '../../errors';

export type PathSeg = string | number;

export class YamlSource {
  private constructor(
    /** The file as named in messages (relative when the user gave a relative path). */
    readonly file: string,
    readonly data: unknown,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

  /** Parses `text`; undefined (with problems added) when it is not valid YAML. */
  static read(text: string, file: string, problems: ProblemList, warn: (message: string) => void): YamlSource | undefined {
    const lines = new LineCounter();
    // Duplicate keys are found below so both lines can be named; merge keys (`<<`) as Azure ML's parser allows them.
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: false, merge: true });
    const at = (offset: number) => {
      const pos = lines.linePos(offset);
      return `${file}:${pos.line}:${pos.col}`;
    };
    // Later syntax errors are mostly echoes of the first one: report that one only.
    const syntax = doc.errors[0];
    if (syntax) {
      problems.add(`invalid YAML: ${syntax.message}`, at(syntax.pos[0]));
      return undefined;
    }
    for (const warning of doc.warnings) warn(`${at(warning.pos[0])}: ${warning.message}`);
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      // Aliases that expand too far ("billion laughs") stop here.
      problems.add(`invalid YAML: ${err instanceof Error ? err.message : String(err)}`, `${file}:1`);
      return undefined;
    }
    const source = new YamlSource(file, data, doc, lines);
    source.reportDuplicateKeys(doc.contents, [], problems);
    return source;
  }

  /** Line of the key (or list item) at `path`; of the nearest enclosing one when the path does not exist. */
  line(path: readonly PathSeg[]): number {
    let node: unknown = this.doc.contents;
    let offset = startOf(node) ?? 0;
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      const step = isMap(node)
        ? node.items.find((pair) => keyText(pair.key) === String(seg))
        : isSeq(node) && typeof seg === 'number'
          ? { key: node.items[seg], value: node.items[seg] }
          : undefined;
      if (!step || step.key === undefined) break;
      offset = startOf(step.key) ?? offset;
      node = step.value;
    }
    return this.lines.linePos(offset).line;
  }

  private reportDuplicateKeys(node: unknown, path: PathSeg[], problems: ProblemList): void {
    if (isMap(node)) {
      const firstLine = new Map<string, number>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        if (key === undefined) continue;
        const line = this.lines.linePos(startOf(pair.key) ?? 0).line;
        const first = firstLine.get(key);
        if (first === undefined) firstLine.set(key, line);
        else problems.add(`${formatPath([...path, key])}: defined twice, at lines ${first} and ${line} (rename or remove one)`, `${this.file}:${line}`);
        this.reportDuplicateKeys(pair.value, [...path, key], problems);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => this.reportDuplicateKeys(item, [...path, i], problems));
    }
  }
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function startOf(node: unknown): number | undefined {
  return isScalar(node) || isMap(node) || isSeq(node) || isAlias(node) ? node.range?.[0] : undefined;
}

export function formatPath(path: readonly PathSeg[]): string {
  return path.map((seg, i) => (typeof seg === 'number' ? `[${seg}]` : i === 0 ? seg : `.${seg}`)).join('');
}

/** A position in a YAML file: where messages about that key point (`file:line`) and what they call it (`jobs.train.command`). */
export class Place {
  constructor(
    readonly source: YamlSource,
    readonly path: readonly PathSeg[] = [],
  ) {}

  at(...segs: PathSeg[]): Place {
    return new Place(this.source, [...this.path, ...segs]);
  }

  get where(): string {
    return `${this.source.file}:${this.source.line(this.path)}`;
  }

  get label(): string {
    return formatPath(this.path) || '(top level)';
  }

  problem(problems: ProblemList, message: string): void {
    problems.add(`${this.label}: ${message}`, this.where);
  }

  warning(message: string): string {
    return `${this.where}: ${this.label}: ${message}`;
  }
}
