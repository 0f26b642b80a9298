/**
 * Data hand-over benchmark (a): a 1 GiB intermediate output passed from one local step to the
 * next through the real BlobDataPlane (embedded Azurite), next to `cp` of the same file.
 * Target: the hand-over (persistOutputs + resolveUpstreamOutput) ≤ 2× cp. Also shown: how long
 * until the output is durable on the datastore (background upload, awaited by flush), and what a
 * hand-over costs when the upload and a download sit on the critical path.
 *
 *   npm run bench -- data-transfer                 # 1 GiB
 *   TRIBUTARY_BENCH_MIB=128 npm run bench -- data-transfer
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { link, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureAzurite, stopAzurite } from '../shared/datastore/azurite/azurite';
import { BlobDataPlane } from '../shared/datastore/blob/blob-data-plane';
import { Datastore } from '../shared/datastore/blob/datastore';
import type { StepDataContext } from '../shared/datastore/data-plane';
import { attemptPaths, outputFolder, resolveWorkspace, type Workspace } from '../shared/workspace/workspace';

const REPEATS = 3;

interface Row {
  case: string;
  seconds: number;
  note: string;
}

function sizeMiB(): number {
  const raw = process.env.TRIBUTARY_BENCH_MIB ?? '1024';
  const mib = Number(raw);
  if (!Number.isInteger(mib) || mib < 1) throw new Error(`TRIBUTARY_BENCH_MIB=${raw}: expected a whole number of MiB ≥ 1`);
  return mib;
}

/** `mib` MiB of random bytes: one random 16 MiB block, stamped with its index so no two blocks are equal. */
async function writeRandomFile(file: string, mib: number): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'w');
  try {
    const block = randomBytes(16 * 1024 * 1024);
    const total = mib * 1024 * 1024;
    for (let index = 0, written = 0; written < total; index++, written += block.length) {
      block.writeBigUInt64LE(BigInt(index), 0);
      await handle.write(block, 0, Math.min(block.length, total - written));
    }
  } finally {
    await handle.close();
  }
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

function cp(from: string, to: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('cp', [from, to], { stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`cp exited with ${code}`))));
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const ctx = (ws: Workspace, runId: string, step: string): StepDataContext => ({ runId, step, attempt: 1, scratchDir: attemptPaths(ws, runId, step, 1).dataDir });

/** The producer's output of run `runId`: a hard link to the one generated file (same bytes, same cache state, new run). */
async function producerOutput(ws: Workspace, source: string, runId: string): Promise<string> {
  const folder = outputFolder(ws, runId, 'produce', 'data');
  await mkdir(folder, { recursive: true });
  await link(source, path.join(folder, 'data.bin'));
  return folder;
}

export async function main(): Promise<void> {
  const mib = sizeMiB();
  const work = await mkdtemp(path.join(tmpdir(), 'tributary-bench-transfer-'));
  const ws = resolveWorkspace(path.join(work, 'ws'));
  try {
    await ensureAzurite(ws);
    const source = path.join(work, 'source', 'data.bin');
    await writeRandomFile(source, mib);
    const plane = new BlobDataPlane(ws);
    const rows: Row[] = [];

    const cps: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const dest = path.join(work, 'cp-dest', `copy-${i}.bin`);
      await mkdir(path.dirname(dest), { recursive: true });
      cps.push(await time(() => cp(source, dest)));
      await rm(dest);
    }
    rows.push({ case: 'cp of the file', seconds: median(cps), note: `median of ${REPEATS}` });

    const handovers: number[] = [];
    const durable: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const runId = `bench-${i}`;
      const folder = await producerOutput(ws, source, runId);
      const start = performance.now();
      let consumerPath = '';
      handovers.push(
        await time(async () => {
          const records = await plane.persistOutputs(ctx(ws, runId, 'produce'), { data: folder });
          consumerPath = await plane.resolveUpstreamOutput(records.data!, ctx(ws, runId, 'consume'));
        }),
      );
      if (consumerPath !== folder) throw new Error(`expected the local fast path, got ${consumerPath}`);
      await plane.flush(runId);
      durable.push((performance.now() - start) / 1000);
    }
    rows.push({ case: 'BlobDataPlane hand-over (persist + resolve)', seconds: median(handovers), note: 'consumer reads the producer folder; upload in background' });
    rows.push({ case: '  … until durable on the datastore (flush)', seconds: median(durable), note: 'background upload to Azurite, awaited before the run ends' });

    const runId = 'bench-sync';
    const folder = await producerOutput(ws, source, runId);
    const elsewhere = resolveWorkspace(path.join(work, 'elsewhere'));
    process.env.TRIBUTARY_BENCH_STORAGE = (await ensureAzurite(ws)).connectionString;
    await Datastore.register(elsewhere, { name: 'workspaceblobstore', container: 'azureml-blobstore', connectionStringEnv: 'TRIBUTARY_BENCH_STORAGE' });
    const roundTrip = await time(async () => {
      const records = await new BlobDataPlane(ws, { background: false }).persistOutputs(ctx(ws, runId, 'produce'), { data: folder });
      await new BlobDataPlane(elsewhere).resolveUpstreamOutput(records.data!, ctx(elsewhere, runId, 'consume'));
    });
    rows.push({ case: 'for comparison: upload + download on the critical path', seconds: roundTrip, note: 'what a consumer on another machine pays; 1 run' });

    console.log(`Data hand-over benchmark: ${mib} MiB output, Node ${process.version}, Azurite ${ws.azuriteDir}`);
    const width = Math.max(...rows.map((r) => r.case.length));
    const base = rows[0]!.seconds;
    console.log(`${'case'.padEnd(width)}  ${'seconds'.padStart(8)}  ${'× cp'.padStart(6)}  note`);
    for (const r of rows) console.log(`${r.case.padEnd(width)}  ${r.seconds.toFixed(3).padStart(8)}  ${(r.seconds / base).toFixed(2).padStart(6)}  ${r.note}`);
    const ratio = median(handovers) / base;
    console.log(`target: hand-over <= 2x cp: ${ratio <= 2 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}x)`);
  } finally {
    await stopAzurite(ws);
    await rm(work, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
