/**
 * The fast block-YAML reader against the full YAML library: whatever it reads, it reads to the
 * same data with the same line for every key and list item; whatever it does not handle, it
 * leaves to the library (undefined), never guessing.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pipelineYaml } from '../../bench/fanout';
import { ProblemList } from '../../shared/errors';
import { readBlockYaml } from '../../shared/model/yaml/block-yaml';
import { readYamlDocument } from '../../shared/model/yaml/yaml-document';
import type { PathSeg } from '../../shared/model/yaml/yaml-path';

const REPO = path.resolve(__dirname, '..', '..', '..');

/** Checks agreement with the library; says which reader the text went to. */
function compare(text: string): 'fast' | 'library' {
  const fast = readBlockYaml(text);
  if (!fast) return 'library';
  const problems = new ProblemList();
  const warnings: string[] = [];
  const full = readYamlDocument(text, 'f.yml', problems, (w) => warnings.push(w));
  assert.doesNotThrow(() => problems.throwIfAny(), `the fast reader accepted YAML the library rejects:\n${text}`);
  assert.deepEqual(warnings, [], `the fast reader accepted YAML the library warns about:\n${text}`);
  assert.deepEqual(fast.data, full!.data, `different data for:\n${text}`);
  for (const p of [...pathsIn(full!.data, []), ['nope'], ['jobs', 'nope', 'x']]) {
    assert.equal(fast.line(p), full!.line(p), `different line for ${JSON.stringify(p)} in:\n${text}`);
  }
  return 'fast';
}

function pathsIn(value: unknown, prefix: PathSeg[]): PathSeg[][] {
  const entries: [PathSeg, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : typeof value === 'object' && value !== null
      ? Object.entries(value)
      : [];
  return [prefix, ...entries.flatMap(([seg, v]) => pathsIn(v, [...prefix, seg])), [...prefix, 'missing'], [...prefix, 99]];
}

function yamlFilesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.yml'))
    .map((f) => path.join(dir, f));
}

describe('readBlockYaml', () => {
  it('reads the example and fixture pipelines and components, and the fan-out benchmark, as the library does', () => {
    const files = [...yamlFilesUnder(path.join(REPO, 'examples')), ...yamlFilesUnder(path.join(REPO, 'test', 'fixtures'))];
    assert.ok(files.length >= 5);
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      const reader = compare(text);
      if (!file.endsWith('conda.yml')) assert.equal(reader, 'fast', file);
    }
    assert.equal(compare(pipelineYaml(20)), 'fast');
  });

  const readFast: Record<string, string> = {
    'scalars of every core type': 'a: 1\nb: -2\nc: +3\nd: 0o17\ne: 0x1F\nf: 1.5\ng: 1.\nh: .5\ni: 1e3\nj: -1.5E-3\nk: .inf\nl: -.Inf\nm: .nan\nn: true\no: False\np: null\nq: ~\nr:\ns: yes\nt: 007\nu: 1_000\nv: NaN\nw: 0b1\n',
    'quoted and commented scalars': `a: 'it''s'\nb: "a # b"\nc: a # comment\nd: a#b\ne: 'x'   # c\nf: ""\ng: ''\nh: "1"\ni: http://x:8080/y\n`,
    'comments, blank lines and indentation': '# top\n\n$schema: x\n  # indented comment\njobs:\n\n    a:\n        type: command   \n    b:\n        type: command\n# end\n',
    'lists: scalars, compact mappings, nested, at the key indent': 'a:\n  - 1\n  - x\nb:\n- p: 1\n  q: 2\n- - n1\n  - n2\n-\n  k: v\nc:\n  -   spaced\n',
    'a list item holding a mapping that holds a list': 'a:\n  - name: x\n    items:\n      - 1\n      - 2\n  - name: y\n',
    'literal and folded block scalars': 'a: |\n  line 1\n    indented\n\n  line 3\nb: >-\n  python x.py\n  --flag\n\n  after blank\nc: |-\n  kept  \nd: >\n  one\n  two\n\n\ne: x\n',
    'block scalar in a list, and holding comment-like lines': 'a:\n  - |\n    # not a comment\n    b: not a key\n  - >-\n    x\n',
    'an indented root': '  a: 1\n  b:\n    c: 2\n',
    'keys with dots, dashes and dollars': 'a.b: 1\nc-d: 2\n$e: 3\nf/g: 4\nconstructor: 5\n',
  };
  for (const [name, text] of Object.entries(readFast)) {
    it(`reads ${name} as the library does`, () => assert.equal(compare(text), 'fast'));
  }

  const leftToLibrary: Record<string, string> = {
    'a syntax error': 'a: b: c\n',
    'a duplicate key': 'a: 1\na: 2\n',
    'anchors and aliases': 'a: &x 1\nb: *x\n',
    'merge keys': 'a: {x: 1}\nb:\n  <<: {x: 2}\n',
    tags: 'a: !!str 1\n',
    'flow collections': 'a: {type: uri_folder}\nb: [1, 2]\n',
    'a multi-line plain scalar': 'a: one\n  two\n',
    'a double-quoted escape': 'a: "x\\ty"\n',
    'a multi-line quoted scalar': 'a: "one\n  two"\n',
    'a quoted key': '"a": 1\n',
    'a numeric key': '1: a\n',
    'a null key': 'null: a\n',
    'a __proto__ key': '__proto__: {}\n',
    'tabs': 'a:\tb\n',
    'carriage returns': 'a: 1\r\nb: 2\r\n',
    'a document marker': '---\na: 1\n',
    'a top-level list': '- a\n- b\n',
    'a top-level scalar': 'hello\n',
    'an empty document': '# nothing\n',
    'keep chomping': 'a: |+\n  x\n\nb: 1\n',
    'an indentation indicator': 'a: |2\n    x\n',
    'a block scalar with a leading blank line': 'a: |\n\n  x\n',
    'a folded scalar with a more-indented line': 'a: >\n  x\n    y\n',
    'an empty list item': 'a:\n  -\n  - x\n',
    'a misaligned key': 'a:\n    b: 1\n  c: 2\n',
    'a line more indented than its list': 'a:\n  - x\n     y\n',
    'a complex key': '? a\n: b\n',
    'a reserved first character': 'a: @x\n',
    'a value that is a mapping on the key line': 'a: - x\n',
  };
  for (const [name, text] of Object.entries(leftToLibrary)) {
    it(`leaves ${name} to the library`, () => assert.equal(readBlockYaml(text), undefined));
  }

  it('agrees with the library on thousands of random near-YAML documents', () => {
    const random = mulberry32(20261124);
    let fast = 0;
    for (let i = 0; i < 5000; i++) {
      if (compare(randomDocument(random)) === 'fast') fast++;
    }
    // Most are read fast, so the comparison is not vacuous.
    assert.ok(fast > 2000, `only ${fast} read fast`);
  });
});

/** Mostly what the fast reader handles, sometimes what it must leave alone. */
const KEYS = { common: ['a', 'b', 'type', '$schema', 'x.y', 'k-1', 'jobs', 'inputs'], odd: ['null', 'True', '1', 'a b', '-k', '"q"', 'k:v', 'a'] };
const SCALARS = {
  common: [
    'x', 'hello world', '1', '-1', '+1', '0o17', '0x1F', '1.5', '1.', '.5', '1e3', '.inf', '-.Inf', '.nan', 'NaN', 'null', '~', 'Null', 'true', 'False',
    "'q'", "'it''s'", '"dq"', '"a # b"', 'a # c', 'a#b', 'http://x', '${{inputs.x}}', '-x', '?x', ':x', '007', '1:30', 'é', 'a  ', '"x" #c', '',
  ],
  odd: ['"a\\"b"', 'a: b', 'a:', '- x', '@x', '&a x', '*a', '!!str 1', '[a, b]', '[]', '{}', '#c', '"open', "'x' y"],
};
const BLOCK_HEADERS = { common: ['|', '|-', '>', '>-', '>-  # c'], odd: ['|+', '|2', '| x'] };
const BLOCK_LINES = { common: ['text', '', 'a: b', '# hash', 'x  ', '- item'], odd: ['  more'] };

function randomDocument(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const usually = <T>(pool: { common: readonly T[]; odd: readonly T[] }): T => pick(random() < 0.97 ? pool.common : pool.odd);
  const lines: string[] = [];
  const jitter = () => (random() < 0.01 ? pick([-1, 1, 2]) : 0);
  const pad = (n: number) => ' '.repeat(Math.max(0, n + jitter()));
  const value = (indent: number, depth: number, lead: string): void => {
    const r = random();
    if (depth < 3 && r < 0.25) {
      lines.push(lead);
      mapping(indent + pick([2, 4]), depth + 1);
    } else if (depth < 3 && r < 0.4) {
      lines.push(lead);
      list(indent + pick([0, 2]), depth + 1);
    } else if (r < 0.5) {
      lines.push(`${lead} ${usually(BLOCK_HEADERS)}`);
      const inner = indent + pick([1, 2, 3]);
      for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
        const text = usually(BLOCK_LINES);
        lines.push(text === '' ? pad(random() < 0.5 ? 0 : inner) : `${pad(inner)}${text}`);
      }
    } else {
      lines.push(`${lead} ${usually(SCALARS)}`.trimEnd());
    }
    if (random() < 0.05) lines.push(`${pad(indent)}# comment`);
    if (random() < 0.05) lines.push('');
  };
  const mapping = (indent: number, depth: number) => {
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) value(indent, depth, `${pad(indent)}${usually(KEYS)}:`);
  };
  const list = (indent: number, depth: number) => {
    for (let n = 1 + Math.floor(random() * 3); n > 0; n--) {
      if (depth >= 3 || random() < 0.6) {
        value(indent, depth, `${pad(indent)}-`);
        continue;
      }
      const dash = lines.push(`${pad(indent)}-`) - 1;
      mapping(indent + 2, depth + 1);
      // Now and then the compact form: "- key: value".
      if (random() < 0.6) lines.splice(dash, 2, `${lines[dash]} ${lines[dash + 1]!.trimStart()}`);
    }
  };
  mapping(0, 0);
  return `${lines.join('\n')}\n`;
}

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
