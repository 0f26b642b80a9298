/**
 * Reuse benchmark (issue 4), two tables:
 *
 * 1. An all-reused rerun of the fan-out DAG (source → N trivial shell steps → sink, N = 1,000 by
 *    default, BENCH_REUSE_N) next to Snakemake's and make's no-op reruns of the same DAG. For
 *    Tributary, the CLI's wall time and the orchestration part (the run's startRun → finishRun,
 *    as recorded by the worker). Target: orchestration < 0.5 s and faster than Snakemake.
 * 2. Hashing a 1 GiB snapshot (two shapes: few big files, many small ones) with the snapshot
 *    hasher and the local input fingerprint, next to raw node:crypto sha256 over the same bytes
 *    already in memory. Target: ≥ 80% of raw.
 *
 *   npm run build && node dist/bench/reuse.js
 */
import { spawnSync } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fingerprintLocalTree } from '../shared/datastore/local-folder-data-plane';
import type { ContentStore } from '../shared/snapshot/content-store';
import { takeSnapshot } from '../shared/snapshot/snapshot';
import { StatCache } from '../shared/snapshot/stat-cache';
import { makefile, pipelineYaml, snakefile } from './fanout';

const REPO = path.resolve(__dirname, '..', '..');
const WORK = path.join(REPO, 'bench', '.work', 'reuse');
const GIB = 1024 ** 3;

interface Rerun {
  tool: string;
  first?: number;
  rerun?: number;
  note: string;
}

function timed(cwd: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds?: number; stdout: string; error?: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error || r.status !== 0) return { stdout: r.stdout ?? '', error: r.error?.message ?? r.stderr.split('\n').slice(-3).join(' ') };
  return { seconds, stdout: r.stdout };
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function fanoutReruns(n: number): Rerun[] {
  const dir = path.join(WORK, `fanout-n${n}`);
  rmSync(dir, { recursive: true, force: true });
  for (const sub of ['make', 'snakemake', 'tributary']) mkdirSync(path.join(dir, sub), { recursive: true });
  writeFileSync(path.join(dir, 'make', 'Makefile'), makefile(n));
  writeFileSync(path.join(dir, 'snakemake', 'Snakefile'), snakefile(n));
  writeFileSync(path.join(dir, 'tributary', 'pipeline.yml'), pipelineYaml(n));
  const rows: Rerun[] = [];

  const twice = (tool: string, cwd: string, cmd: string, args: string[]): Rerun => {
    const first = timed(cwd, cmd, args);
    if (first.error) return { tool, note: `failed: ${first.error}` };
    const again = timed(cwd, cmd, args);
    return { tool, first: first.seconds, ...(again.seconds !== undefined ? { rerun: again.seconds } : {}), note: again.error ? `failed: ${again.error}` : 'no-op rerun' };
  };
  rows.push(twice('make -j2', path.join(dir, 'make'), 'make', ['-j2', '-s']));
  rows.push(
    has('snakemake') ? twice('snakemake --cores 2', path.join(dir, 'snakemake'), 'snakemake', ['--cores', '2', '--quiet']) : { tool: 'snakemake --cores 2', note: 'not installed (apt-get install snakemake)' },
  );

  const cwd = path.join(dir, 'tributary');
  const env = { ...process.env, TRIBUTARY_WORKSPACE: path.join(cwd, '.tributary'), TRIBUTARY_LOCAL_CONCURRENCY: '2' };
  const cli = [ '--disable-warning=ExperimentalWarning', path.join(REPO, 'dist', 'cli', 'main.js'), 'run', 'pipeline.yml', '--json'];
  const first = timed(cwd, process.execPath, cli, env);
  if (first.error) return [...rows, { tool: 'tributary (cap 2)', note: `first run failed: ${first.error}` }];
  const again = timed(cwd, process.execPath, cli, env);
  if (again.error) return [...rows, { tool: 'tributary (cap 2)', first: first.seconds, note: `rerun failed: ${again.error}` }];
  const view = JSON.parse(again.stdout) as { status: string; durationMs?: number; steps: { reused: boolean }[] };
  const reused = view.steps.filter((s) => s.reused).length;
  const note = `${reused}/${view.steps.length} steps reused, ${view.status}`;
  rows.push({ tool: 'tributary run (CLI wall time)', first: first.seconds, rerun: again.seconds, note });
  rows.push({ tool: 'tributary orchestration part', ...(view.durationMs !== undefined ? { rerun: view.durationMs / 1000 } : {}), note: 'startRun → finishRun of the rerun, as recorded' });
  return rows;
}

interface HashRow {
  shape: string;
  hasher: string;
  seconds: number;
  ratio?: number;
}

/** A 1 GiB tree of `count` files of equal size, distinct content, written once and read back so it sits in the page cache. */
function buildTree(root: string, count: number): Buffer[] {
  rmSync(root, { recursive: true, force: true });
  const size = GIB / count;
  const block = randomFillSync(Buffer.allocUnsafe(size));
  const perFolder = 256;
  const buffers: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const folder = path.join(root, `d${String(Math.floor(i / perFolder)).padStart(3, '0')}`);
    if (i % perFolder === 0) mkdirSync(folder, { recursive: true });
    block.writeUInt32LE(i, 0);
    writeFileSync(path.join(folder, `f${i}.bin`), block);
  }
  for (let i = 0; i < count; i++) buffers.push(readFileSync(path.join(root, `d${String(Math.floor(i / perFolder)).padStart(3, '0')}`, `f${i}.bin`)));
  return buffers;
}

/** Keeps nothing and claims everything: snapshotting then only walks and hashes. */
const HASH_ONLY: ContentStore = {
  has: async (digests) => new Set(digests),
  put: async () => undefined,
  get: async () => {
    throw new Error('hash-only store');
  },
  putManifest: async () => undefined,
  getManifest: async () => undefined,
};

async function best(runs: number, fn: () => Promise<unknown> | unknown): Promise<number> {
  let fastest = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    fastest = Math.min(fastest, (performance.now() - t0) / 1000);
  }
  return fastest;
}

async function hashing(): Promise<HashRow[]> {
  const rows: HashRow[] = [];
  for (const [shape, count] of [['256 files × 4 MiB', 256], ['16,384 files × 64 KiB', 16_384]] as const) {
    const root = path.join(WORK, 'hash', `n${count}`);
    const buffers = buildTree(root, count);
    const raw = await best(3, () => {
      for (const b of buffers) createHash('sha256').update(b).digest();
    });
    buffers.length = 0;
    rows.push({ shape, hasher: 'raw node:crypto sha256 (bytes in memory)', seconds: raw });
    const snapshot = await best(3, async () => {
      const cache = new StatCache(path.join(WORK, 'hash', `cache-${Date.now()}-${Math.random()}`));
      await takeSnapshot(root, { store: HASH_ONLY, cache, warn: () => undefined, sizeWarningBytes: 2 * GIB });
    });
    rows.push({ shape, hasher: 'snapshot hashing (cold stat cache)', seconds: snapshot, ratio: raw / snapshot });
    const fingerprint = await best(3, () => fingerprintLocalTree(root));
    rows.push({ shape, hasher: 'local input fingerprint', seconds: fingerprint, ratio: raw / fingerprint });
    rmSync(path.join(WORK, 'hash'), { recursive: true, force: true });
  }
  return rows;
}

const fmt = (s: number | undefined) => (s === undefined ? '-' : s.toFixed(3));

export async function main(): Promise<void> {
  const n = Number(process.env.BENCH_REUSE_N ?? 1000);
  console.log(`Machine: ${os.cpus().length} CPUs, ${os.cpus()[0]?.model ?? 'unknown CPU'}; shared with other engineers' test runs, so times vary.\n`);
  const reruns = fanoutReruns(n);
  console.log(`All-reused rerun of the fan-out DAG: source → ${n} trivial shell steps → sink (${n + 2} steps)\n`);
  console.log('| tool | first run (s) | rerun (s) | note |');
  console.log('|---|---:|---:|---|');
  for (const r of reruns) console.log(`| ${r.tool} | ${fmt(r.first)} | ${fmt(r.rerun)} | ${r.note} |`);

  const rows = await hashing();
  console.log('\nHashing a 1 GiB snapshot (files in the page cache; best of 3)\n');
  console.log('| shape | hasher | seconds | GiB/s | vs raw |');
  console.log('|---|---|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.shape} | ${r.hasher} | ${r.seconds.toFixed(3)} | ${(1 / r.seconds).toFixed(2)} | ${r.ratio === undefined ? '-' : `${(r.ratio * 100).toFixed(0)}%`} |`);
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
