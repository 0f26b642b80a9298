import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { updateRunRecord } from '../shared/activities/run-records';
import { NotFoundError, TransientError, TributaryError } from '../shared/errors';
import { DriverWatch } from '../shared/local/driver-gone';
import { runMetrics } from '../shared/runs/run-metrics';
import { runView, type RunView, type StepView } from '../shared/runs/run-view';
import { isTerminal, type RunStatus } from '../shared/store/records';
import type { RunStore } from '../shared/store/run-store';
import { publishPipelineRun, type PublishOptions } from './publish/publish';
import type { PublishedPipeline } from './publish/published-pipeline';
import { metricsByName, StepRun, type MetricValue } from './step-run';
import { parseOptions } from './validate';
import { withStore, type Workspace } from './workspace';

/**
 * Thrown by `waitForCompletion` when the run ends Failed or Canceled; `run` is its final state.
 *
 * @example
 * try { await run.waitForCompletion(); }
 * catch (err) { if (err instanceof RunFailedError) console.log(err.run.steps.filter((s) => s.status === 'Failed')); else throw err; }
 */
export class RunFailedError extends TributaryError {
  constructor(readonly run: RunView) {
    const failed = run.steps.filter((s) => s.status === 'Failed');
    const steps = failed.map((s) => (s.exitCode !== undefined ? `${s.name} (exit code ${s.exitCode})` : s.name));
    const detail = [run.statusReason, steps.length ? `failed steps: ${steps.join(', ')}` : undefined].filter(Boolean).join('; ');
    const logs = failed[0] ? `; logs: tributary logs ${run.id} ${failed[0].name}` : '';
    super('StepFailed', 500, `run ${run.id} ${run.status}${detail ? `: ${detail}` : ''}${logs}`, { target: run.id });
  }
}

export interface WaitOptions {
  /** Print each step's status changes while waiting (Azure ML `show_output`). */
  showOutput?: boolean;
  /** Where `showOutput` writes (default stdout). */
  output?: NodeJS.WritableStream;
  /** Give up waiting after this long (the run goes on); rejects with a TransientError. */
  timeoutMs?: number;
  /** Reject with RunFailedError unless the run Completed (Azure ML `raise_on_error`; default true). */
  raiseOnError?: boolean;
  /** How often to read the run history (default 200 ms). */
  pollMs?: number;
}

const waitSchema = z.strictObject({
  showOutput: z.boolean().optional(),
  output: z.custom<NodeJS.WritableStream>((v) => typeof v === 'object' && v !== null && 'write' in v && typeof v.write === 'function', {
    error: 'expected a writable stream',
  }).optional(),
  timeoutMs: z.number().positive().optional(),
  raiseOnError: z.boolean().optional(),
  pollMs: z.number().positive().optional(),
});

function seconds(ms: number | undefined): string {
  return ms === undefined ? '' : ` in ${(ms / 1000).toFixed(1)}s`;
}

function stepLine(step: StepView): string {
  const reuse = step.reused ? ` (reused from ${step.reusedFrom})` : '';
  const reason = step.statusReason && step.status !== 'Completed' ? ` — ${step.statusReason}` : '';
  const duration = isTerminal(step.status) ? seconds(step.durationMs) : '';
  return `  ${step.name}: ${step.status}${duration}${reuse}${reason}\n`;
}

/**
 * A submitted pipeline run (Azure ML `PipelineRun`). It is driven by a background worker and
 * kept in the workspace's history, so it goes on if this process exits; any process can attach
 * to it with {@link PipelineRun.get}.
 *
 * @example
 * const run = await experiment.submit(pipeline, { pipelineParameters: { epochs: 50 } });
 * const view = await run.waitForCompletion({ showOutput: true });   // rejects if the run failed
 * console.log(view.status, await run.getMetrics());
 */
export class PipelineRun {
  constructor(
    readonly workspace: Workspace,
    readonly id: string,
  ) {}

  /** Attaches to an existing run by id; NotFoundError when the workspace has no such run. */
  static async get(workspace: Workspace, runId: string): Promise<PipelineRun> {
    await withStore(workspace, (store) => mustGet(store, runId));
    return new PipelineRun(workspace, runId);
  }

  /** The run and its steps as `tributary show --json` prints them. */
  async getDetails(): Promise<RunView> {
    return withStore(this.workspace, (store) => viewOf(store, this.id));
  }

  async getStatus(): Promise<RunStatus> {
    return (await this.getDetails()).status;
  }

  /** The step runs, in definition order. */
  async getSteps(): Promise<StepRun[]> {
    return (await this.getDetails()).steps.map((step) => new StepRun(this, step.name));
  }

  /** The run of the step named `name`; NotFoundError naming the steps when there is none. */
  async findStepRun(name: string): Promise<StepRun> {
    const names = (await this.getDetails()).steps.map((s) => s.name);
    if (!names.includes(name)) throw new NotFoundError(`run "${this.id}" has no step "${name}" (steps: ${names.join(', ')})`, 'step');
    return new StepRun(this, name);
  }

  /** Every step's metrics: step name → metric name → value (or values, when logged more than once). */
  async getMetrics(): Promise<Record<string, Record<string, MetricValue>>> {
    const records = await withStore(this.workspace, (store) => runMetrics(store, this.id));
    const steps = [...new Set(records.map((r) => r.step))];
    return Object.fromEntries(steps.map((step) => [step, metricsByName(records.filter((r) => r.step === step))]));
  }

  /** Asks the run's driver to stop: running steps get TERM (then KILL), nothing new starts. No-op once finished. */
  async cancel(): Promise<void> {
    await withStore(this.workspace, async (store) => {
      await mustGet(store, this.id);
      await updateRunRecord(store, this.id, (current) =>
        isTerminal(current.status) || current.status === 'CancelRequested' ? undefined : { status: 'CancelRequested', statusReason: 'canceled by user' },
      );
    });
  }

  /** Publishes what this run ran, its definition and source snapshots (Azure ML `run.publish_pipeline`). */
  publishPipeline(options: PublishOptions): Promise<PublishedPipeline> {
    return publishPipelineRun(this, options);
  }

  /**
   * Waits until the run ends and returns its final state. Rejects with RunFailedError when it
   * ended Failed or Canceled (unless `raiseOnError: false`), and with a TransientError after
   * `timeoutMs` (the run goes on), and with a ConflictError when the process driving the run is
   * gone before it ended (continue it with `tributary resume`).
   */
  async waitForCompletion(options: WaitOptions = {}): Promise<RunView> {
    const o = parseOptions(waitSchema, options, 'waitForCompletion');
    const out = o.output ?? process.stdout;
    const started = Date.now();
    const seen = new Map<string, string>();
    if (o.showOutput) out.write(`Run ${this.id}: waiting for it to finish\n`);
    const view = await withStore(this.workspace, async (store) => {
      const driver = new DriverWatch(store, this.workspace.location, this.id);
      for (;;) {
        const current = await viewOf(store, this.id);
        for (const step of o.showOutput ? current.steps : []) {
          const key = `${step.status}:${step.attempt}`;
          if (step.status === 'NotStarted' || seen.get(step.name) === key) continue;
          seen.set(step.name, key);
          out.write(stepLine(step));
        }
        if (isTerminal(current.status)) return current;
        await driver.check();
        if (o.timeoutMs !== undefined && Date.now() - started >= o.timeoutMs) {
          throw new TransientError(`run ${this.id} is still ${current.status} after ${o.timeoutMs} ms; it goes on (wait again, or cancel it)`);
        }
        await sleep(o.pollMs ?? 200);
      }
    });
    if (o.showOutput) out.write(`Run ${this.id} ${view.status}${seconds(view.durationMs)}${view.statusReason ? ` — ${view.statusReason}` : ''}\n`);
    if ((o.raiseOnError ?? true) && view.status !== 'Completed') throw new RunFailedError(view);
    return view;
  }
}

async function mustGet(store: RunStore, runId: string) {
  const run = await store.getRun(runId);
  if (!run) throw new NotFoundError(`run "${runId}" does not exist in this workspace`, 'runId');
  return run;
}

async function viewOf(store: RunStore, runId: string): Promise<RunView> {
  return runView(await mustGet(store, runId), await store.listStepRuns(runId));
}
