/**
 * Fan-out benchmark (issue 2): the same DAG — a source step, N trivial shell steps reading its
 * output, a sink step reading all of theirs — as a Tributary YAML pipeline, a Makefile and a
 * Snakefile. Runs `make -j2`, Snakemake (--cores 2) and Tributary (cap 2) side by side and prints
 * a table. Sizes: BENCH_SIZES (default "200,1000").
 *
 * Each tool runs BENCH_REPEAT times (default 3), each time in fresh folders, and the table shows
 * the median with the fastest and slowest run: a run on this kind of shared machine can be 10–15%
 * slower than the next for no reason of its own. Repetitions interleave the tools (make, then both
 * Tributary planes, then again), so a slow spell of the machine falls on all of them alike.
 *
 * A previous run's folders are moved aside and deleted only after the measurements, and Snakemake
 * (which deletes about six files per job) runs after the other tools: on a filesystem without a
 * journal, ext4 skips inodes freed in the last minutes when it allocates, so files created just
 * after a large delete cost several times more, whichever tool creates them.
 *
 *   npm run bench -- fanout
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const REPO = path.resolve(__dirname, '..', '..');
const WORK = path.join(REPO, 'bench', '.work', 'fanout');
/** Name prefix of a previous run's folders, deleted at the end. */
const OLD = 'previous-';

export function pipelineYaml(n: number): string {
  const lines = ['type: pipeline', 'settings:', '  default_compute: local', 'jobs:'];
  lines.push('  source:', '    type: command', '    command: echo seed > ${{outputs.data}}/seed', '    outputs:', '      data:', '        type: uri_folder');
  for (let i = 0; i < n; i++) {
    lines.push(
      `  s${i}:`,
      '    type: command',
      `    command: cat \${{inputs.data}}/seed > \${{outputs.out}}/v; echo ${i} >> \${{outputs.out}}/v`,
      '    inputs:',
      '      data: ${{parent.jobs.source.outputs.data}}',
      '    outputs:',
      '      out:',
      '        type: uri_folder',
    );
  }
  lines.push('  sink:', '    type: command', '    command: cat ' + Array.from({ length: n }, (_, i) => `\${{inputs.i${i}}}/v`).join(' ') + ' | wc -l > ${{outputs.total}}/n');
  lines.push('    inputs:');
  for (let i = 0; i < n; i++) lines.push(`      i${i}: \${{parent.jobs.s${i}.outputs.out}}`);
  lines.push('    outputs:', '      total:', '        type: uri_folder');
  return `${lines.join('\n')}\n`;
}

export function makefile(n: number): string {
  const outs = Array.from({ length: n }, (_, i) => `s${i}.v`);
  const rules = [`all: total\n`, `seed:\n\techo seed > seed\n`];
  for (let i = 0; i < n; i++) rules.push(`s${i}.v: seed\n\tcat seed > s${i}.v; echo ${i} >> s${i}.v\n`);
  rules.push(`total: ${outs.join(' ')}\n\tcat ${outs.join(' ')} | wc -l > total\n`);
  return rules.join('\n');
}

export function snakefile(n: number): string {
  return `N = ${n}
rule all:
    input: "total"
rule source:
    output: "seed"
    shell: "echo seed > {output}"
rule step:
    input: "seed"
    output: "s{i}.v"
    shell: "cat {input} > {output}; echo {wildcards.i} >> {output}"
rule sink:
    input: expand("s{i}.v", i=range(N))
    output: "total"
    shell: "cat {input} | wc -l > {output}"
`;
}

interface Result {
  tool: string;
  n: number;
  /** Wall time of each repetition that succeeded. */
  seconds: number[];
  note: string;
}

function timed(cwd: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): { seconds: number } | { failed: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error || r.status !== 0) return { failed: `failed: ${r.error?.message ?? r.stderr.split('\n').slice(-3).join(' ')}` };
  return { seconds };
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

const MAKE = 'make -j2';
const SNAKEMAKE = 'snakemake --cores 2';
const PLANES = [
  { datastore: 'none', tool: 'tributary (cap 2, outputs in the workspace)' },
  { datastore: 'azurite', tool: 'tributary (cap 2, outputs durable on Azurite)' },
];

export function main(): void {
  const sizes = (process.env.BENCH_SIZES ?? '200,1000').split(',').map(Number);
  const repeat = Number(process.env.BENCH_REPEAT ?? 3);
  if (!Number.isInteger(repeat) || repeat < 1) throw new Error(`BENCH_REPEAT=${process.env.BENCH_REPEAT}: expected a whole number ≥ 1`);
  const cli = path.join(REPO, 'dist', 'cli', 'main.js');
  const results = new Map<string, Result>();
  const record = (tool: string, n: number, outcome: { seconds: number } | { failed: string }) => {
    const key = `${n} ${tool}`;
    const result = results.get(key) ?? results.set(key, { tool, n, seconds: [], note: '' }).get(key)!;
    if ('seconds' in outcome) result.seconds.push(outcome.seconds);
    else result.note = outcome.failed;
  };
  moveAside();
  const dirs = sizes.map((n) => Array.from({ length: repeat }, (_, k) => prepare(n, k)));
  sizes.forEach((n, i) => {
    for (const dir of dirs[i]!) {
      record(MAKE, n, timed(path.join(dir, 'make'), 'make', ['-j2', '-s']));
      for (const { datastore, tool } of PLANES) {
        const env = { ...process.env, TRIBUTARY_WORKSPACE: path.join(dir, 'tributary', `.tributary-${datastore}`), TRIBUTARY_LOCAL_CONCURRENCY: '2', TRIBUTARY_DATASTORE: datastore };
        record(tool, n, timed(path.join(dir, 'tributary'), process.execPath, ['--disable-warning=ExperimentalWarning', cli, 'run', 'pipeline.yml', '--json'], env));
        spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', cli, 'datastore', 'stop-azurite'], { env });
      }
    }
  });
  // Last: Snakemake deletes about six files per job (job scripts, markers), which would tax the next tool.
  sizes.forEach((n, i) => {
    for (const dir of dirs[i]!) {
      if (has('snakemake')) record(SNAKEMAKE, n, timed(path.join(dir, 'snakemake'), 'snakemake', ['--cores', '2', '--quiet']));
      else record(SNAKEMAKE, n, { failed: 'not installed (apt-get install snakemake)' });
    }
  });
  printTable([...results.values()], repeat);
  for (const name of readdirSync(WORK)) if (name.startsWith(OLD)) rmSync(path.join(WORK, name), { recursive: true, force: true });
}

/** Moves the previous run's folders aside, to be deleted after the measurements. */
function moveAside(): void {
  if (!existsSync(WORK)) return;
  for (const name of readdirSync(WORK)) if (!name.startsWith(OLD)) renameSync(path.join(WORK, name), path.join(WORK, `${OLD}${name}-${Date.now()}`));
}

/** Fresh folders per tool for size `n`, repetition `k`, with its Makefile, Snakefile and pipeline. */
function prepare(n: number, k: number): string {
  const dir = path.join(WORK, `n${n}`, `run${k + 1}`);
  for (const sub of ['make', 'snakemake', 'tributary']) mkdirSync(path.join(dir, sub), { recursive: true });
  writeFileSync(path.join(dir, 'make', 'Makefile'), makefile(n));
  writeFileSync(path.join(dir, 'snakemake', 'Snakefile'), snakefile(n));
  writeFileSync(path.join(dir, 'tributary', 'pipeline.yml'), pipelineYaml(n));
  return dir;
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function printTable(results: Result[], repeat: number): void {
  const byN = new Map<number, Result[]>();
  for (const r of results) byN.set(r.n, [...(byN.get(r.n) ?? []), r]);
  console.log(`\nFan-out DAG: source → N trivial shell steps → sink, 2 workers each; median of ${repeat} runs per tool (fastest–slowest)\n`);
  console.log('| N | tool | wall time (s) | range (s) | vs make | vs snakemake | note |');
  console.log('|---:|---|---:|---:|---:|---:|---|');
  for (const [n, rows] of byN) {
    const make = median(rows.find((r) => r.tool === MAKE)?.seconds ?? []);
    const snake = median(rows.find((r) => r.tool === SNAKEMAKE)?.seconds ?? []);
    for (const r of rows) {
      const m = median(r.seconds);
      const range = r.seconds.length > 1 ? `${Math.min(...r.seconds).toFixed(2)}–${Math.max(...r.seconds).toFixed(2)}` : '-';
      const ratio = m !== undefined && make ? `${(m / make).toFixed(2)}×` : '-';
      const vsSnake = m !== undefined && snake ? `${(snake / m).toFixed(1)}× faster` : '-';
      console.log(`| ${n} | ${r.tool} | ${m?.toFixed(2) ?? '-'} | ${range} | ${ratio} | ${vsSnake} | ${r.note} |`);
    }
  }
}

if (require.main === module) main();
