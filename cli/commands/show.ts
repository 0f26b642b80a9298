import { NotFoundError } from '../../shared/errors';
import { isLeaseStale } from '../../shared/local/run-worker';
import { isTerminal } from '../../shared/store/records';
import { metricView, runMetrics } from '../../shared/runs/run-metrics';
import { runView } from '../../shared/runs/run-view';
import { atMostPositionals, parseCommand, needPositional } from '../args';
import { printJson, withContext } from '../context';
import { colourStatus, formatDuration, table } from '../format';

const USAGE = 'tributary show <runId> [--json]';

export async function showCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {}, USAGE);
  atMostPositionals(positionals, 1, USAGE);
  const runId = needPositional(positionals, 0, 'run id', USAGE);
  return withContext(values.workspace, async (ctx) => {
    const run = await ctx.store.getRun(runId);
    if (!run) throw new NotFoundError(`run "${runId}" does not exist (list runs with: tributary runs)`, 'runId');
    const view = runView(run, await ctx.store.listStepRuns(runId));
    const metrics = await runMetrics(ctx.store, runId);
    if (values.json) {
      printJson(ctx, { ...view, metrics: metrics.map((m) => metricView(m, runId)) });
      return 0;
    }
    const lines = [
      `Run        ${view.id}`,
      `Experiment ${view.experiment}`,
      `Pipeline   ${view.pipelineName}`,
      `Status     ${colourStatus(view.status, ctx.tty)}${view.statusReason ? ` — ${view.statusReason}` : ''}`,
      `Created    ${view.createdAt}`,
      `Duration   ${formatDuration(view.durationMs)}`,
    ];
    if (view.git) {
      lines.push(`Git        ${view.git.commit.slice(0, 12)}${view.git.branch ? ` (${view.git.branch})` : ''}${view.git.dirty ? ' dirty' : ''}${view.git.remoteUrl ? ` ${view.git.remoteUrl}` : ''}`);
    }
    const params = Object.entries(view.parameters);
    if (params.length > 0) lines.push(`Parameters ${params.map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
    if (!isTerminal(run.status) && isLeaseStale(run.driver)) {
      lines.push(`Note       the process driving this run is gone; continue it with: tributary resume ${run.id}`);
    }
    ctx.out.write(`${lines.join('\n')}\n\n`);
    const rows = view.steps.map((s) => [
      s.name,
      colourStatus(s.status, ctx.tty),
      formatDuration(s.durationMs),
      s.exitCode === undefined ? '-' : String(s.exitCode),
      s.reused ? `reused (${s.reusedFrom})` : s.attempt > 1 ? `attempt ${s.attempt}` : '',
      s.status === 'Completed' ? '' : (s.statusReason ?? ''),
    ]);
    ctx.out.write(`${table(['STEP', 'STATUS', 'DURATION', 'EXIT', 'NOTE', 'REASON'], rows)}\n`);
    const outputs = Object.entries(view.outputs);
    if (outputs.length > 0) {
      ctx.out.write(`\n${table(['PIPELINE OUTPUT', 'FROM', 'URI'], outputs.map(([name, o]) => [name, `${o.step}.${o.output}`, o.uri]))}\n`);
    }
    if (metrics.length > 0) {
      const latest = new Map<string, string>();
      for (const m of metrics) latest.set(`${m.step}\0${m.name}`, String(m.value));
      ctx.out.write(`\n${table(['STEP', 'METRIC', 'VALUE'], [...latest].map(([k, v]) => [...k.split('\0'), v]))}\n`);
    }
    return 0;
  });
}
