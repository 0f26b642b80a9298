import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, beforeEach, describe, it } from 'node:test';
import { ValidationError } from '../../shared/errors';
import { compilePipelineYaml } from '../../shared/model/yaml/compile';
import { compilePipelineYamlCached } from '../../shared/model/yaml/compile-cache';

const FIXTURE = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'yaml', 'azureml-shaped');
const TMP = mkdtempSync(path.join(os.tmpdir(), 'tributary-compile-cache-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

let dir: string;
let pipeline: string;
let cacheDir: string;
let n = 0;
beforeEach(() => {
  dir = path.join(TMP, `case-${++n}`);
  cpSync(FIXTURE, dir, { recursive: true });
  pipeline = path.join(dir, 'pipeline.yml');
  cacheDir = path.join(dir, 'cache');
});

/** Compiles through the cache, remembering the compile (as `tributary run` does once the run is recorded). */
async function compile(file = pipeline) {
  const warnings: string[] = [];
  const compiled = await compilePipelineYamlCached(file, cacheDir, { warn: (m) => warnings.push(m) });
  compiled.remember();
  return { ...compiled, warnings };
}

function edit(file: string, from: string, to: string): void {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.includes(from), `${file} holds ${from}`);
  writeFileSync(file, text.replace(from, to));
}

describe('compilePipelineYamlCached', () => {
  it('answers an unchanged pipeline from the cache: the same definition, the same warnings', async () => {
    const first = await compile();
    const second = await compile();
    assert.equal(first.hit, false);
    assert.equal(second.hit, true);
    assert.ok(first.warnings.length > 0, 'the fixture has keys that are accepted but ignored');
    assert.deepEqual(second.warnings, first.warnings);
    const fresh = await compilePipelineYaml(pipeline, { warn: () => undefined });
    assert.deepEqual(second.definition, JSON.parse(JSON.stringify(fresh)));
  });

  it('compiles again when the pipeline changes', async () => {
    await compile();
    edit(pipeline, 'learning_rate: 0.05', 'learning_rate: 0.5');
    const again = await compile();
    assert.equal(again.hit, false);
    assert.equal(again.definition.inputs.learning_rate?.default, 0.5);
  });

  it('compiles again when a component file changes', async () => {
    await compile();
    edit(path.join(dir, 'components', 'prep.yml'), 'default: 0.2', 'default: 0.3');
    const again = await compile();
    assert.equal(again.hit, false);
    assert.match(JSON.stringify(again.definition.steps.prep?.inputs.test_split?.binding), /0\.3/);
  });

  it('reports a folder the pipeline names that is gone, instead of answering from the cache', async () => {
    await compile();
    rmSync(path.join(dir, 'src'), { recursive: true });
    await assert.rejects(compile(), (err: unknown) => err instanceof ValidationError && /src.*not found/.test(err.message));
  });

  it('compiles again when a module of the compiler changed since', async () => {
    await compile();
    const [entryName] = readdirSync(cacheDir);
    const entryFile = path.join(cacheDir, entryName!);
    const entry = JSON.parse(readFileSync(entryFile, 'utf8')) as { compiler: { mtimeMs: number }[] };
    assert.ok(entry.compiler.length > 10, 'the compiler and everything it loads are stamped');
    entry.compiler[0]!.mtimeMs -= 1000;
    writeFileSync(entryFile, JSON.stringify(entry));
    assert.equal((await compile()).hit, false);
  });

  it('keeps nothing for a compile that was not remembered, or that failed', async () => {
    await compilePipelineYamlCached(pipeline, cacheDir, { warn: () => undefined });
    assert.equal((await compile()).hit, false, 'not remembered: compiled again');
    edit(pipeline, 'jobs:', 'jobs:\n  broken: 7');
    await assert.rejects(compile(), ValidationError);
    await assert.rejects(compile(), ValidationError, 'a bad pipeline is compiled, and reported, every time');
  });

  it('takes an unreadable or misshapen cache entry as no entry', async () => {
    await compile();
    const [entryName] = readdirSync(cacheDir);
    const entryFile = path.join(cacheDir, entryName!);
    const good = JSON.parse(readFileSync(entryFile, 'utf8')) as Record<string, unknown>;
    for (const bad of ['{ not json', 'null', JSON.stringify({ ...good, warnings: 'oops' }), JSON.stringify({ ...good, compiler: [{}] }), JSON.stringify({ ...good, lookups: [7] })]) {
      writeFileSync(entryFile, bad);
      assert.equal((await compile()).hit, false, bad.slice(0, 40));
      assert.equal((await compile()).hit, true, 'and replaces it');
    }
  });

  it('keeps the file name as given: the same pipeline named another way has its own entry', async () => {
    const relative = path.relative(process.cwd(), pipeline);
    await compile(pipeline);
    const viaRelative = await compile(relative);
    assert.equal(viaRelative.hit, false);
    assert.equal(viaRelative.definition.source, relative);
    assert.equal((await compile(relative)).definition.source, relative);
  });

  it('reports a missing pipeline file as the compiler does', async () => {
    await assert.rejects(compile(path.join(dir, 'nope.yml')), /pipeline file not found/);
  });
});
