import { isTerminal } from '../../shared/store/records';
import type { RunView } from '../../shared/runs/run-view';
import { atMostPositionals, parseCommand, needPositional } from '../args';
import { printJson, withContext, type CliContext } from '../context';
import { formatDuration } from '../format';
import { watchRun } from '../progress';

const USAGE = 'tributary watch <runId> [--json]';

/** Waits for a run with live progress; Ctrl-C detaches (the run goes on). Exit 1 unless Completed. */
export async function attachToRun(ctx: CliContext, runId: string, json: boolean): Promise<number> {
  const stop = { requested: false };
  const onInt = () => {
    stop.requested = true;
  };
  process.on('SIGINT', onInt);
  try {
    const view = await watchRun(ctx.store, runId, { workspace: ctx.workspace, live: !json, tty: ctx.tty, out: ctx.out }, stop);
    if (!view) {
      ctx.err.write(`\nDetached from run ${runId}; it keeps running.\n  re-attach: tributary watch ${runId}\n  cancel:    tributary cancel ${runId}\n`);
      return 130;
    }
    if (json) printJson(ctx, view);
    else ctx.out.write(finalLine(view));
    return view.status === 'Completed' ? 0 : 1;
  } finally {
    process.off('SIGINT', onInt);
  }
}

function finalLine(view: RunView): string {
  const reused = view.steps.filter((s) => s.reused).length;
  const tail = reused ? `, ${reused} reused` : '';
  const reason = view.statusReason ? `: ${view.statusReason}` : '';
  return `Run ${view.id} ${view.status}${reason} in ${formatDuration(view.durationMs)} (${view.steps.length} steps${tail})\n`;
}

export async function watchCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {}, USAGE);
  atMostPositionals(positionals, 1, USAGE);
  const runId = needPositional(positionals, 0, 'run id', USAGE);
  return withContext(values.workspace, async (ctx) => {
    const status = await ctx.store.getRunStatus(runId);
    if (status && isTerminal(status) && !values.json) ctx.out.write(`Run ${runId} already finished: ${status}\n`);
    return attachToRun(ctx, runId, Boolean(values.json));
  });
}
