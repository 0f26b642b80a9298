/**
 * Reading one YAML file with positions kept: syntax errors and duplicate keys become problems
 * with `file:line[:col]`, and every later message can name the line of any key by its path.
 * Plain block YAML (nearly every pipeline) is read by the fast reader; anything else by the full
 * YAML library, loaded only then.
 */
import type { ProblemList } from '../../errors';
import { readBlockYaml } from './block-yaml';
import { formatPath, type ParsedYaml, type PathSeg } from './yaml-path';

export class YamlSource {
  private constructor(
    /** The file as named in messages (relative when the user gave a relative path). */
    readonly file: string,
    private readonly parsed: ParsedYaml,
  ) {}

  /** Parses `text`; undefined (with problems added) when it is not valid YAML. */
  static read(text: string, file: string, problems: ProblemList, warn: (message: string) => void): YamlSource | undefined {
    const parsed = readBlockYaml(text) ?? (require('./yaml-document') as typeof import('./yaml-document')).readYamlDocument(text, file, problems, warn);
    return parsed && new YamlSource(file, parsed);
  }

  get data(): unknown {
    return this.parsed.data;
  }

  /** Line of the key (or list item) at `path`; of the nearest enclosing one when the path does not exist. */
  line(path: readonly PathSeg[]): number {
    return this.parsed.line(path);
  }
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
