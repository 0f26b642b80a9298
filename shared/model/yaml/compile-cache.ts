/**
 * Compiles of pipeline YAML, remembered. A compile depends on nothing but the pipeline's text and
 * the path it was named by, the answers to what the compiler read or looked up through
 * `SourceFiles` (component files, code folders, scripts), and the compiler's own code. A compile
 * that ran records each of these next to its definition and its warnings; the next compile of the
 * same file replays them and, when every answer and every compiler module is still the same,
 * returns the stored definition (repeating the warnings) without loading or running the compiler.
 *
 * Only compiles that succeeded are stored, and only when the caller says the pipeline was used
 * (`remember`): a bad pipeline is compiled, and reported, in full every time. The store is a cache:
 * an entry that cannot be read or written is simply not used.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { PipelineDefinition } from '../definition';
import type { CompileOptions } from './compile';
import { diskFiles, type SourceFiles } from './files';

/** Bumped when the entry format changes. */
const ENTRY_VERSION = 1;

type Lookup = { text: string; sha256: string | null } | { kind: string; is: 'file' | 'directory' | null };

interface ModuleStamp {
  file: string;
  size: number;
  mtimeMs: number;
}

interface Entry {
  version: number;
  /** The path as given and as resolved (the definition's origins name the first). */
  file: string;
  resolved: string;
  sha256: string;
  lookups: Lookup[];
  compiler: ModuleStamp[];
  warnings: string[];
  definition: PipelineDefinition;
}

export interface CachedCompile {
  definition: PipelineDefinition;
  /** True when the definition came from the cache. */
  hit: boolean;
  /** Stores this compile for next time (a no-op after a hit). */
  remember(): void;
}

/** Like `compilePipelineYaml`, answering from `cacheDir` when nothing it depends on changed. */
export async function compilePipelineYamlCached(file: string, cacheDir: string, options: CompileOptions = {}): Promise<CachedCompile> {
  const warn = options.warn ?? ((message: string) => console.warn(`warning: ${message}`));
  const resolved = path.resolve(file);
  const text = await readFile(resolved, 'utf8').catch(() => undefined);
  const entryFile = path.join(cacheDir, `${sha256(JSON.stringify([file, resolved]))}.json`);
  const textHash = text === undefined ? undefined : sha256(text);
  const stored = textHash === undefined ? undefined : readEntry(entryFile);
  if (stored && stored.file === file && stored.resolved === resolved && stored.sha256 === textHash && (await stillTrue(stored))) {
    for (const message of stored.warnings) warn(message);
    return { definition: stored.definition, hit: true, remember: () => undefined };
  }

  const { compilePipelineYaml, compilePipelineYamlText } = require('./compile') as typeof import('./compile');
  if (text === undefined || textHash === undefined) return { definition: await compilePipelineYaml(file, options), hit: false, remember: () => undefined };
  const lookups: Lookup[] = [];
  const warnings: string[] = [];
  const definition = await compilePipelineYamlText(text, file, recordingFiles(diskFiles, lookups), {
    warn: (message) => {
      warnings.push(message);
      warn(message);
    },
  });
  const remember = () => {
    const entry: Entry = { version: ENTRY_VERSION, file, resolved, sha256: textHash, lookups, compiler: compilerStamps(), warnings, definition };
    writeEntry(entryFile, entry);
  };
  return { definition, hit: false, remember };
}

/** `files`, with every question asked and its answer written down. */
function recordingFiles(files: SourceFiles, lookups: Lookup[]): SourceFiles {
  return {
    async readText(absolutePath) {
      const text = await files.readText(absolutePath);
      lookups.push({ text: absolutePath, sha256: text === undefined ? null : sha256(text) });
      return text;
    },
    async kind(absolutePath) {
      const is = await files.kind(absolutePath);
      lookups.push({ kind: absolutePath, is: is ?? null });
      return is;
    },
  };
}

/** Whether every lookup still gets the same answer and no compiler module changed (false for an entry it cannot make sense of). */
async function stillTrue(entry: Entry): Promise<boolean> {
  try {
    return await sameAnswers(entry);
  } catch {
    return false;
  }
}

async function sameAnswers(entry: Entry): Promise<boolean> {
  for (const m of entry.compiler) {
    const info = statSync(m.file, { throwIfNoEntry: false });
    if (!info || info.size !== m.size || info.mtimeMs !== m.mtimeMs) return false;
  }
  for (const lookup of entry.lookups) {
    if ('text' in lookup) {
      const text = await readFile(lookup.text, 'utf8').catch(() => undefined);
      if ((text === undefined ? null : sha256(text)) !== lookup.sha256) return false;
    } else {
      const info = statSync(lookup.kind, { throwIfNoEntry: false });
      const is = info?.isDirectory() ? 'directory' : info?.isFile() ? 'file' : null;
      if (is !== lookup.is) return false;
    }
  }
  return true;
}

/** Every module the compiler is made of (the compile module and all it loaded), with size and time of change. */
function compilerStamps(): ModuleStamp[] {
  const seen = new Set<string>();
  const visit = (mod: NodeJS.Module | undefined) => {
    if (!mod || seen.has(mod.filename)) return;
    seen.add(mod.filename);
    for (const child of mod.children) visit(child);
  };
  visit(require.cache[require.resolve('./compile')]);
  return [...seen].map((file) => {
    const { size, mtimeMs } = statSync(file);
    return { file, size, mtimeMs };
  });
}

/** The entry stored at `file`, if there is one of this version and of the right shape. */
function readEntry(file: string): Entry | undefined {
  try {
    const entry = JSON.parse(readFileSync(file, 'utf8')) as Partial<Entry> | null;
    const shaped =
      entry?.version === ENTRY_VERSION &&
      [entry.lookups, entry.compiler, entry.warnings].every(Array.isArray) &&
      entry.warnings!.every((w) => typeof w === 'string') &&
      typeof entry.definition === 'object' &&
      entry.definition !== null;
    return shaped ? (entry as Entry) : undefined;
  } catch {
    return undefined;
  }
}

function writeEntry(file: string, entry: Entry): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(temp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    // A cache that cannot be written is a cache not used; the compile itself succeeded.
    rmSync(temp, { force: true });
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
