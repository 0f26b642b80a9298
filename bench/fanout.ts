/**
 * Fan-out benchmark (issue 2): the same DAG — a source step, N trivial shell steps reading its
 * output, a sink step reading all of theirs — as a Tributary YAML pipeline, a Makefile and a
 * Snakefile. Runs `make -j2`, Snakemake (--cores 2) and Tributary (cap 2) side by side and prints
 * a table. Sizes: BENCH_SIZES (default "200,1000").
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
const OLD = 'previous-n';

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
  seconds?: number;
  note: string;
}

function timed(tool: string, n: number, cwd: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Result {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.error || r.status !== 0) return { tool, n, note: `failed: ${r.error?.message ?? r.stderr.split('\n').slice(-3).join(' ')}` };
  return { tool, n, seconds, note: '' };
}

function has(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

export function main(): void {
  const sizes = (process.env.BENCH_SIZES ?? '200,1000').split(',').map(Number);
  const results: Result[] = [];
  const cli = path.join(REPO, 'dist', 'cli', 'main.js');
  const dirs = sizes.map((n) => prepare(n));
  sizes.forEach((n, i) => {
    const dir = dirs[i]!;
    results.push(timed('make -j2', n, path.join(dir, 'make'), 'make', ['-j2', '-s']));
    for (const datastore of ['none', 'azurite']) {
      const workspace = path.join(dir, 'tributary', `.tributary-${datastore}`);
      const env = { ...process.env, TRIBUTARY_WORKSPACE: workspace, TRIBUTARY_LOCAL_CONCURRENCY: '2', TRIBUTARY_DATASTORE: datastore };
      const tool = datastore === 'none' ? 'tributary (cap 2, outputs in the workspace)' : 'tributary (cap 2, outputs durable on Azurite)';
      results.push(timed(tool, n, path.join(dir, 'tributary'), process.execPath, ['--disable-warning=ExperimentalWarning', cli, 'run', 'pipeline.yml', '--json'], env));
      spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', cli, 'datastore', 'stop-azurite'], { env });
    }
  });
  // Last: Snakemake deletes about six files per job (job scripts, markers), which would tax the next tool.
  sizes.forEach((n, i) => {
    results.push(
      has('snakemake')
        ? timed('snakemake --cores 2', n, path.join(dirs[i]!, 'snakemake'), 'snakemake', ['--cores', '2', '--quiet'])
        : { tool: 'snakemake --cores 2', n, note: 'not installed (apt-get install snakemake)' },
    );
  });
  printTable(results);
  for (const name of readdirSync(WORK)) if (name.startsWith(OLD)) rmSync(path.join(WORK, name), { recursive: true, force: true });
}

/** A fresh folder per tool for size `n`, with its Makefile, Snakefile and pipeline. */
function prepare(n: number): string {
  const dir = path.join(WORK, `n${n}`);
  if (existsSync(dir)) renameSync(dir, path.join(WORK, `${OLD}${n}-${Date.now()}`));
  for (const sub of ['make', 'snakemake', 'tributary']) mkdirSync(path.join(dir, sub), { recursive: true });
  writeFileSync(path.join(dir, 'make', 'Makefile'), makefile(n));
  writeFileSync(path.join(dir, 'snakemake', 'Snakefile'), snakefile(n));
  writeFileSync(path.join(dir, 'tributary', 'pipeline.yml'), pipelineYaml(n));
  return dir;
}

function printTable(results: Result[]): void {
  const byN = new Map<number, Result[]>();
  for (const r of results) byN.set(r.n, [...(byN.get(r.n) ?? []), r]);
  console.log('\nFan-out DAG: source → N trivial shell steps → sink, 2 workers each\n');
  console.log('| N | tool | wall time (s) | vs make | vs snakemake | note |');
  console.log('|---:|---|---:|---:|---:|---|');
  for (const [n, rows] of byN) {
    const make = rows.find((r) => r.tool.startsWith('make'))?.seconds;
    for (const r of rows) {
      const snake = rows.find((r) => r.tool.startsWith('snakemake'))?.seconds;
      const ratio = r.seconds !== undefined && make ? `${(r.seconds / make).toFixed(2)}×` : '-';
      const vsSnake = r.seconds !== undefined && snake ? `${(snake / r.seconds).toFixed(1)}× faster` : '-';
      console.log(`| ${n} | ${r.tool} | ${r.seconds?.toFixed(2) ?? '-'} | ${ratio} | ${vsSnake} | ${r.note} |`);
    }
  }
}

if (require.main === module) main();
