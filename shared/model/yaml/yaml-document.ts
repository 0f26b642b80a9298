/**
 * Reading a YAML file with the full YAML library, positions kept: syntax errors and duplicate keys
 * become problems with `file:line[:col]`, and any key's line can be found by its path. Every YAML
 * feature is handled here; the common plain files are read faster by `block-yaml.ts`.
 */
import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document } from 'yaml';
import type { ProblemList } from '../../errors';
import { formatPath, type ParsedYaml, type PathSeg } from './yaml-path';

/** Parses `text`; undefined (with problems added) when it is not valid YAML. */
export function readYamlDocument(text: string, file: string, problems: ProblemList, warn: (message: string) => void): ParsedYaml | undefined {
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
    const message = syntax.code === 'MULTIPLE_DOCS' ? 'a second YAML document starts here; a pipeline or component file holds one (remove this "---" and what follows, or move it to a file of its own)' : syntax.message;
    problems.add(`invalid YAML: ${message}`, at(syntax.pos[0]));
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
  const parsed = new DocumentPositions(data, doc, lines);
  parsed.reportDuplicateKeys(doc.contents, [], file, problems);
  return parsed;
}

class DocumentPositions implements ParsedYaml {
  constructor(
    readonly data: unknown,
    private readonly doc: Document,
    private readonly lines: LineCounter,
  ) {}

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

  reportDuplicateKeys(node: unknown, path: PathSeg[], file: string, problems: ProblemList): void {
    if (isMap(node)) {
      const firstLine = new Map<string, number>();
      for (const pair of node.items) {
        const key = keyText(pair.key);
        if (key === undefined) continue;
        const line = this.lines.linePos(startOf(pair.key) ?? 0).line;
        const first = firstLine.get(key);
        if (first === undefined) firstLine.set(key, line);
        else problems.add(`${formatPath([...path, key])}: defined twice, at lines ${first} and ${line} (rename or remove one)`, `${file}:${line}`);
        this.reportDuplicateKeys(pair.value, [...path, key], file, problems);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, i) => this.reportDuplicateKeys(item, [...path, i], file, problems));
    }
  }
}

function keyText(key: unknown): string | undefined {
  return isScalar(key) ? String(key.value) : undefined;
}

function startOf(node: unknown): number | undefined {
  return isScalar(node) || isMap(node) || isSeq(node) || isAlias(node) ? node.range?.[0] : undefined;
}
