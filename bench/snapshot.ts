/**
 * Snapshot benchmark: a 10,000-file source tree, snapshotted first time, unchanged, after one
 * edit and after touching every file, next to `tar c` of the same tree. Target: the unchanged
 * second snapshot in ≤ 0.5 s.
 *
 *   npm run bench -- snapshot
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { LocalContentStore } from '../shared/snapshot/content-store';
import { materialiseSnapshot } from '../shared/snapshot/materialise';
import { takeSnapshot, type SnapshotDeps } from '../shared/snapshot/snapshot';
import { StatCache } from '../shared/snapshot/stat-cache';

const FILES = 10_000;
const PER_FOLDER = 100;

interface Row {
  case: string;
  seconds: number;
  note: string;
}

function fileOf(root: string, i: number): string {
  return path.join(root, `pkg${String(Math.floor(i / PER_FOLDER)).padStart(3, '0')}`, `module_${i}.py`);
}

/** Deterministic tree: 100 folders of 100 files, 0.2 to ~20 KB each (fixed-seed LCG). */
async function buildTree(root: string): Promise<number> {
  let seed = 42;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  let bytes = 0;
  for (let i = 0; i < FILES; i++) {
    if (i % PER_FOLDER === 0) await mkdir(path.dirname(fileOf(root, i)), { recursive: true });
    const lines = 4 + (next() % 400);
    const content = Array.from({ length: lines }, (_, l) => `value_${i}_${l} = ${next()}  # deterministic filler\n`).join('');
    await writeFile(fileOf(root, i), content);
    bytes += Buffer.byteLength(content);
  }
  return bytes;
}

async function time<T>(fn: () => Promise<T>): Promise<{ seconds: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - start) / 1000, value };
}

/** Runs tar, discarding its output through a pipe (so it must read every file) or writing to /dev/null. */
function tar(cwd: string, folder: string, toDevNull: boolean): Promise<void> {
  const args = toDevNull ? ['-cf', '/dev/null', folder] : ['-cf', '-', folder];
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, { cwd, stdio: ['ignore', toDevNull ? 'ignore' : 'pipe', 'inherit'] });
    child.stdout?.resume();
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`tar exited with ${code}`))));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

export async function main(): Promise<void> {
  const work = await mkdtemp(path.join(tmpdir(), 'tributary-bench-snapshot-'));
  try {
    const src = path.join(work, 'src');
    const bytes = await buildTree(src);
    const store = new LocalContentStore(path.join(work, 'ws', 'snapshots'));
    const deps: SnapshotDeps = { store, cache: new StatCache(path.join(work, 'ws', 'stat-cache')), warn: (w) => console.warn(w.message) };
    const rows: Row[] = [];
    const snap = async (label: string, note: (s: Awaited<ReturnType<typeof takeSnapshot>>) => string): Promise<string> => {
      const { seconds, value } = await time(() => takeSnapshot(src, deps));
      rows.push({ case: label, seconds, note: note(value) });
      return value.id;
    };

    const firstId = await snap('snapshot, first time', (s) => `uploaded ${s.uploadedFiles} files`);
    await snap('snapshot, unchanged (second)', (s) => `uploaded ${s.uploadedFiles} files`);
    const repeats: number[] = [];
    for (let i = 0; i < 5; i++) repeats.push((await time(() => takeSnapshot(src, deps))).seconds);
    rows.push({ case: 'snapshot, unchanged (median of 5 more)', seconds: median(repeats), note: '' });

    await writeFile(path.join(src, 'pkg000', 'module_0.py'), 'edited = True\n');
    const editedId = await snap('snapshot after editing 1 file', (s) => `uploaded ${s.uploadedFiles} file, new id: ${s.id !== firstId}`);
    const earlier = new Date(Date.now() - 60_000);
    for (let i = 0; i < FILES; i++) await utimes(fileOf(src, i), earlier, earlier);
    await snap('snapshot after touching every file (mtime)', (s) => `all re-hashed, uploaded ${s.uploadedFiles}, same id: ${s.id === editedId}`);

    const mat = await time(() => materialiseSnapshot(store, firstId, path.join(work, 'attempt', 'work')));
    rows.push({ case: 'materialise into a work folder', seconds: mat.seconds, note: `${mat.value.files.length} files` });
    rows.push({ case: 'tar c > /dev/null', seconds: (await time(() => tar(work, 'src', true))).seconds, note: 'GNU tar skips file data for /dev/null' });
    rows.push({ case: 'tar c | discard (reads everything)', seconds: (await time(() => tar(work, 'src', false))).seconds, note: '' });

    console.log(`Snapshot benchmark: ${FILES} files, ${(bytes / 2 ** 20).toFixed(1)} MiB, Node ${process.version}`);
    const width = Math.max(...rows.map((r) => r.case.length));
    console.log(`${'case'.padEnd(width)}  ${'seconds'.padStart(8)}  note`);
    for (const r of rows) console.log(`${r.case.padEnd(width)}  ${r.seconds.toFixed(3).padStart(8)}  ${r.note}`);
    const second = rows[1]!.seconds;
    console.log(`target: unchanged second snapshot <= 0.5 s: ${second <= 0.5 ? 'met' : 'NOT met'} (${second.toFixed(3)} s)`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
