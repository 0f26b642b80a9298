/**
 * Live progress while waiting for a run: one line per step state change (with durations), and
 * on a terminal a status line kept up to date below them. Reads only the run store, so it works
 * the same attached to a run started by this process or another.
 */
import { isTerminal, type RunStatus } from '../shared/store/records';
import type { RunStore } from '../shared/store/run-store';
import { runView, type RunView, type StepView } from '../shared/runs/run-view';
import { colourStatus, formatDuration } from './format';

/**
 * Poll quickly at first (a fast run ends without waiting on the watcher), then back off towards a
 * ceiling that grows with the run's size, so watching a large run costs it little CPU.
 */
const pollMs = (steps: number, round: number) => Math.min(Math.min(1_000, Math.max(200, steps / 2)), 50 * 1.5 ** round);
const MARKS: Partial<Record<RunStatus, string>> = { Running: '▶', Completed: '✓', Failed: '✗', Canceled: '■', Queued: '…' };

export interface WatchOptions {
  /** Write live lines (false with --json: only the final result is printed). */
  live: boolean;
  tty: boolean;
  out: NodeJS.WriteStream;
}

export async function watchRun(store: RunStore, runId: string, options: WatchOptions, stop: { requested: boolean }): Promise<RunView | undefined> {
  const seen = new Map<string, string>();
  let statusLine = false;
  for (let round = 0; ; round++) {
    const run = await store.getRun(runId);
    if (!run) throw new Error(`run "${runId}" does not exist`);
    const view = runView(run, await store.listStepRuns(runId));
    if (options.live) {
      if (statusLine) options.out.write('\r\x1b[K');
      for (const step of view.steps) {
        const key = `${step.status}:${step.attempt}`;
        if (seen.get(step.name) === key || step.status === 'NotStarted') continue;
        seen.set(step.name, key);
        options.out.write(`${stepLine(step, options.tty)}\n`);
      }
      statusLine = options.tty && !isTerminal(view.status);
      if (statusLine) options.out.write(summaryLine(view));
    }
    if (isTerminal(view.status)) return view;
    if (stop.requested) return undefined;
    await new Promise((resolve) => setTimeout(resolve, pollMs(view.steps.length, round)));
  }
}

function stepLine(step: StepView, tty: boolean): string {
  const mark = MARKS[step.status] ?? ' ';
  const parts = [`  ${mark} ${step.name.padEnd(20)} ${colourStatus(step.status, tty)}`];
  if (isTerminal(step.status) && step.durationMs !== undefined) parts.push(formatDuration(step.durationMs));
  if (step.reused) parts.push(`(reused from ${step.reusedFrom})`);
  if (step.attempt > 1 && !isTerminal(step.status)) parts.push(`(attempt ${step.attempt})`);
  if (step.statusReason && step.status !== 'Completed') parts.push(`— ${step.statusReason}`);
  return parts.join(' ');
}

function summaryLine(view: RunView): string {
  const done = view.steps.filter((s) => isTerminal(s.status)).length;
  const running = view.steps.filter((s) => s.status === 'Running');
  const shown = running.slice(0, 4).map((s) => `${s.name} ${formatDuration(s.durationMs)}`);
  const more = running.length > 4 ? ` +${running.length - 4}` : '';
  return `  [${done}/${view.steps.length} done${running.length ? `, running: ${shown.join(', ')}${more}` : ''}]`;
}
