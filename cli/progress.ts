/**
 * Live progress while waiting for a run: one line per step state change (with durations), and
 * on a terminal a status line kept up to date below them. Reads only the run store, so it works
 * the same attached to a run started by this process or another.
 */
import { DriverWatch } from '../shared/local/driver-gone';
import { isTerminal, type RunStatus } from '../shared/store/records';
import type { RunStore } from '../shared/store/run-store';
import { runView, type RunView, type StepView } from '../shared/runs/run-view';
import type { Workspace } from '../shared/workspace/workspace';
import { colourStatus, formatDuration } from './format';

/**
 * The full view (the run's definition and every step record) is rebuilt quickly at first (a fast
 * run ends without waiting on the watcher), then backs off towards a ceiling that grows with the
 * run's size, so watching a large run costs it little CPU.
 */
const viewPollMs = (steps: number, round: number) => Math.min(Math.min(1_000, Math.max(200, steps / 2)), 50 * 1.5 ** round);
/** The run's status alone is one column of one row: read it often, so the end of a run is seen at once. */
const STATUS_POLL_MS = 25;
const MARKS: Partial<Record<RunStatus, string>> = { Running: '▶', Completed: '✓', Failed: '✗', Canceled: '■', Queued: '…' };

export interface WatchOptions {
  /** The run's workspace: a run whose local worker is gone is reported with its driver log. */
  workspace: Workspace;
  /** Write live lines (false with --json: only the final result is printed). */
  live: boolean;
  tty: boolean;
  out: NodeJS.WriteStream;
}

/**
 * Waits for the run to end and returns its view; undefined when `stop` was requested first.
 * Throws a ConflictError naming `tributary resume` when the run's worker is gone.
 */
export async function watchRun(store: RunStore, runId: string, options: WatchOptions, stop: { requested: boolean }): Promise<RunView | undefined> {
  const lines = options.live ? new LiveLines(options) : undefined;
  const driver = new DriverWatch(store, options.workspace, runId);
  for (let round = 0; ; round++) {
    let refreshMs = Infinity;
    if (lines) {
      const view = await readView(store, runId);
      lines.show(view);
      if (isTerminal(view.status)) return view;
      refreshMs = viewPollMs(view.steps.length, round);
    }
    if (await waitForEnd(store, runId, refreshMs, stop, driver)) {
      const view = await readView(store, runId);
      lines?.show(view);
      return view;
    }
    if (stop.requested) return undefined;
  }
}

/** Polls the run's status for up to `ms`: true once it is terminal, false when the time is up or `stop` was requested. */
async function waitForEnd(store: RunStore, runId: string, ms: number, stop: { requested: boolean }, driver: DriverWatch): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    const status = await store.getRunStatus(runId);
    if (!status) throw new Error(`run "${runId}" does not exist`);
    if (isTerminal(status)) return true;
    await driver.check();
    if (stop.requested || Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, Math.min(STATUS_POLL_MS, deadline - Date.now())));
  }
}

async function readView(store: RunStore, runId: string): Promise<RunView> {
  const run = await store.getRun(runId);
  if (!run) throw new Error(`run "${runId}" does not exist`);
  return runView(run, await store.listStepRuns(runId));
}

/** One line per step state change, and on a terminal a status line kept up to date below them. */
class LiveLines {
  private readonly seen = new Map<string, string>();
  private statusLine = false;

  constructor(private readonly options: WatchOptions) {}

  show(view: RunView): void {
    const { out, tty } = this.options;
    if (this.statusLine) out.write('\r\x1b[K');
    for (const step of view.steps) {
      const key = `${step.status}:${step.attempt}`;
      if (this.seen.get(step.name) === key || step.status === 'NotStarted') continue;
      this.seen.set(step.name, key);
      out.write(`${stepLine(step, tty)}\n`);
    }
    this.statusLine = tty && !isTerminal(view.status);
    if (this.statusLine) out.write(summaryLine(view));
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
