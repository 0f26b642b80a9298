/**
 * Benchmark of the Durable orchestration cost per step (issue 6): fan-out pipelines (source → N
 * steps → sink) of 100, 500 and 2,000 trivial steps run through the replay harness with the
 * registered orchestrators and a fake compute (FakeInstantCompute: nothing runs, 0–2 polls per
 * job), under the harshest scheduling the harness has: activities run before episodes (results
 * pile up, as with many parallel workers) and each episode gets one message (no batching).
 *
 * Reports history events replayed and orchestrator CPU time (parsing the trigger + the handler)
 * per completed step, for the run and the step orchestrations together and apart; each size is
 * run three times and the run with the median CPU time is shown. Target: flat within ±25%.
 *
 *   npm run bench -- durable-replay [sizes...]
 */
import { FakeInstantCompute } from '../test/durable/harness/fake-compute';
import { createTestApp } from '../test/durable/harness/local-app';
import { fanOut } from '../test/durable/harness/pipelines';
import type { HarnessStats } from '../test/durable/harness/replay-harness';
import { RUN_ORCHESTRATION, STEP_ORCHESTRATION } from '../functions/durable/names';

export interface Row {
  steps: number;
  episodesPerStep: number;
  eventsPerStep: number;
  runEventsPerStep: number;
  stepEventsPerStep: number;
  cpuMicrosPerStep: number;
  longestHistory: number;
  generations: number;
}

const REPEATS = 3;

/** 0–2 polls report Running before a job succeeds, spread over the steps. */
const pollsUntilDone = (jobId: string): number => [...jobId].reduce((sum, c) => sum + c.charCodeAt(0), 0) % 3;

export async function measure(fanOutSize: number): Promise<Row> {
  const app = await createTestApp({
    computes: { fake: new FakeInstantCompute('fake', pollsUntilDone) },
    delivery: 'one',
    order: 'activitiesFirst',
    checkDeterminism: false,
  });
  try {
    const runId = await app.submit(fanOut(fanOutSize, 'fake'));
    await app.harness.runUntilIdle();
    const run = await app.store.getRun(runId);
    if (run?.status !== 'Completed') throw new Error(`run ${runId} ended ${run?.status}: ${run?.statusReason}`);
    return row(fanOutSize + 2, app.harness.stats);
  } finally {
    await app.close();
  }
}

function row(steps: number, stats: HarnessStats): Row {
  const per = (value: number): number => value / steps;
  return {
    steps,
    episodesPerStep: per(stats.episodes),
    eventsPerStep: per(stats.historyEventsReplayed),
    runEventsPerStep: per(stats.byOrchestration[RUN_ORCHESTRATION]?.historyEventsReplayed ?? 0),
    stepEventsPerStep: per(stats.byOrchestration[STEP_ORCHESTRATION]?.historyEventsReplayed ?? 0),
    cpuMicrosPerStep: per(stats.orchestratorCpuMicros),
    longestHistory: stats.longestHistory,
    generations: stats.generations,
  };
}

async function medianOf(fanOutSize: number): Promise<Row> {
  const rows: Row[] = [];
  for (let i = 0; i < REPEATS; i++) rows.push(await measure(fanOutSize));
  return rows.sort((a, b) => a.cpuMicrosPerStep - b.cpuMicrosPerStep)[Math.floor(REPEATS / 2)]!;
}

export function formatTable(rows: Row[]): string {
  const header = ['steps', 'episodes / step', 'events replayed / step', '(run orch.)', '(step orch.)', 'orchestrator CPU µs / step', 'longest history', 'generations'];
  const lines = rows.map((r) => [
    String(r.steps),
    r.episodesPerStep.toFixed(1),
    r.eventsPerStep.toFixed(1),
    r.runEventsPerStep.toFixed(1),
    r.stepEventsPerStep.toFixed(1),
    r.cpuMicrosPerStep.toFixed(0),
    String(r.longestHistory),
    String(r.generations),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padStart(widths[i]!)).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...lines.map(line)].join('\n');
}

/** Largest relative deviation from the mean. */
export function spread(values: number[]): number {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.max(...values.map((v) => Math.abs(v - mean) / mean));
}

export async function main(sizes: number[] = [100, 500, 2000]): Promise<void> {
  await measure(500); // warm up: V8 optimizes the replay path only after many episodes
  const rows: Row[] = [];
  for (const size of sizes) rows.push(await medianOf(size));
  console.log(formatTable(rows));
  const pct = (values: number[]): string => `±${(spread(values) * 100).toFixed(1)}%`;
  console.log(
    `\nper-step spread across sizes: history events ${pct(rows.map((r) => r.eventsPerStep))}, ` +
      `orchestrator CPU ${pct(rows.map((r) => r.cpuMicrosPerStep))} (target ±25%)`,
  );
}

if (require.main === module) {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  main(sizes.length > 0 ? sizes : undefined).catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
