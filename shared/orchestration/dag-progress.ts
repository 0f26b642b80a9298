/**
 * Pure bookkeeping of a DAG walk: which steps are ready, running, finished or will never start.
 * No I/O and no clocks, so the orchestration stays deterministic under replay. Every operation
 * is proportional to the edges it touches, so replaying a large run stays linear.
 */
import type { RunPlan, StepOutcome } from './messages';

type StepState = 'pending' | 'running' | 'done' | 'skipped';

export interface RecordResult {
  /** Pending steps that can no longer start because of this outcome. */
  skipped: string[];
  /** The run should stop: a step failed and the run does not continue on step failure. */
  stopRun: boolean;
}

export class DagProgress {
  private readonly state = new Map<string, StepState>();
  private readonly waitingOn = new Map<string, number>();
  private readonly downstream = new Map<string, string[]>();
  private readonly running = new Set<string>();
  private ready: string[] = [];
  private unfinished: number;
  private stopping = false;

  constructor(private readonly plan: RunPlan) {
    for (const s of plan.steps) {
      this.state.set(s.name, 'pending');
      this.waitingOn.set(s.name, s.after.length);
      this.downstream.set(s.name, []);
    }
    for (const s of plan.steps) for (const up of s.after) this.downstream.get(up)!.push(s.name);
    this.ready = plan.steps.filter((s) => s.after.length === 0).map((s) => s.name);
    this.unfinished = plan.steps.length;
  }

  /** Steps whose upstream steps all completed and that have not started yet; marked running. */
  takeReady(): string[] {
    if (this.stopping) return [];
    const ready = this.ready.filter((name) => this.state.get(name) === 'pending');
    this.ready = [];
    for (const name of ready) {
      this.state.set(name, 'running');
      this.running.add(name);
    }
    return ready;
  }

  /** Records a finished step (also one finished before a resume, which was never started here). */
  record(outcome: StepOutcome): RecordResult {
    const current = this.state.get(outcome.step);
    if (current === undefined || current === 'done' || current === 'skipped') return { skipped: [], stopRun: false };
    this.state.set(outcome.step, 'done');
    this.running.delete(outcome.step);
    this.unfinished--;
    if (outcome.status === 'Completed') {
      for (const next of this.downstream.get(outcome.step)!) {
        const left = this.waitingOn.get(next)! - 1;
        this.waitingOn.set(next, left);
        if (left === 0) this.ready.push(next);
      }
      return { skipped: [], stopRun: false };
    }
    if (!this.plan.continueOnStepFailure && outcome.status === 'Failed' && !this.stopping) {
      this.stopping = true;
      return { skipped: this.skipAllPending(), stopRun: true };
    }
    return { skipped: this.skipDownstream(outcome.step), stopRun: false };
  }

  runningSteps(): string[] {
    return [...this.running];
  }

  get runningCount(): number {
    return this.running.size;
  }

  isDone(): boolean {
    return this.unfinished === 0;
  }

  private markSkipped(name: string): void {
    this.state.set(name, 'skipped');
    this.unfinished--;
  }

  private skipDownstream(step: string): string[] {
    const skipped: string[] = [];
    const queue = [...this.downstream.get(step)!];
    while (queue.length > 0) {
      const next = queue.pop()!;
      if (this.state.get(next) !== 'pending') continue;
      this.markSkipped(next);
      skipped.push(next);
      queue.push(...this.downstream.get(next)!);
    }
    return skipped;
  }

  private skipAllPending(): string[] {
    const skipped: string[] = [];
    for (const [name, st] of this.state) {
      if (st !== 'pending') continue;
      this.markSkipped(name);
      skipped.push(name);
    }
    return skipped;
  }
}
