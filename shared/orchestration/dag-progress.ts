/**
 * Pure bookkeeping of a DAG walk: which steps are ready, running, finished or will never start.
 * No I/O and no clocks, so the orchestration stays deterministic under replay. Every operation
 * is proportional to the edges it touches, and the state round-trips through a compact snapshot
 * (`snapshot()` / `DagProgress.restore`) so a walk can continue in a new Durable generation.
 */
import { DagState, DONE, PENDING, RUNNING, SKIPPED, dagStateFromPlan, decodeDagState, encodeDagState, type DagSnapshot, type Words } from './dag-state';
import type { RunPlan, StepOutcome } from './messages';

export type { DagSnapshot } from './dag-state';

export interface RecordResult {
  /** Pending steps downstream of this outcome's step, which can no longer start. */
  skipped: string[];
  /** Other pending steps, which will not start because the run stops (see `stopRun`). */
  stopped: string[];
  /** The run should stop: a step failed and the run does not continue on step failure. */
  stopRun: boolean;
}

/** A step and its position in the plan (the position lets events skip a name lookup). */
export interface DagStepRef {
  step: string;
  index: number;
}

const NOTHING: RecordResult = { skipped: [], stopped: [], stopRun: false };

export class DagProgress {
  private readonly s: DagState;

  constructor(plan: RunPlan | DagState) {
    this.s = plan instanceof DagState ? plan : dagStateFromPlan(plan);
  }

  static restore(snapshot: DagSnapshot): DagProgress {
    return new DagProgress(decodeDagState(snapshot));
  }

  snapshot(): DagSnapshot {
    return encodeDagState(this.s);
  }

  /** Steps whose upstream steps all completed and that have not started yet; marked running. */
  takeReady(): string[] {
    return this.takeReadyRefs().map((r) => r.step);
  }

  /** Like `takeReady`, at most `limit` steps (oldest ready first); the others stay ready. */
  takeReadyRefs(limit = Number.POSITIVE_INFINITY): DagStepRef[] {
    const s = this.s;
    if (s.stopping) return [];
    const taken: DagStepRef[] = [];
    while (taken.length < limit && s.readyHead < s.ready.length) {
      const i = s.ready[s.readyHead++]!;
      if (s.status[i] !== PENDING) continue;
      s.status[i] = RUNNING;
      s.running++;
      taken.push({ step: s.nameAt(i), index: i });
    }
    if (s.readyHead === s.ready.length) {
      s.ready = [];
      s.readyHead = 0;
    }
    return taken;
  }

  /**
   * Records a finished step (also one finished before a resume, which was never started here).
   * `index` is the step's position when the caller knows it; a wrong one falls back to the name.
   */
  record(outcome: StepOutcome, index?: number): RecordResult {
    const s = this.s;
    const i = index !== undefined && index < s.size && s.nameAt(index) === outcome.step ? index : s.indexOf(outcome.step);
    if (i === undefined || s.status[i] === DONE || s.status[i] === SKIPPED) return NOTHING;
    if (s.status[i] === RUNNING) s.running--;
    s.status[i] = DONE;
    s.unfinished--;
    if (outcome.status === 'Completed') {
      for (const next of this.downstream(i)) {
        if (--s.waiting[next]! === 0) s.ready.push(next);
      }
      return NOTHING;
    }
    const skipped = this.skipDownstream(i);
    if (!s.continueOnStepFailure && outcome.status === 'Failed' && !s.stopping) {
      s.stopping = true;
      return { skipped, stopped: this.skipAllPending(), stopRun: true };
    }
    return { skipped, stopped: [], stopRun: false };
  }

  runningSteps(): string[] {
    return this.runningRefs().map((r) => r.step);
  }

  runningRefs(): DagStepRef[] {
    const refs: DagStepRef[] = [];
    for (let i = 0; i < this.s.size; i++) if (this.s.status[i] === RUNNING) refs.push({ step: this.s.nameAt(i), index: i });
    return refs;
  }

  get runningCount(): number {
    return this.s.running;
  }

  /** Steps waiting in the ready queue (an upper bound: some may have been skipped meanwhile). */
  get readyCount(): number {
    return this.s.ready.length - this.s.readyHead;
  }

  isDone(): boolean {
    return this.s.unfinished === 0;
  }

  private downstream(i: number): Words {
    return this.s.down.subarray(this.s.downStart[i], this.s.downStart[i + 1]);
  }

  private markSkipped(i: number): string {
    this.s.status[i] = SKIPPED;
    this.s.unfinished--;
    return this.s.nameAt(i);
  }

  private skipDownstream(step: number): string[] {
    const skipped: string[] = [];
    const queue = [...this.downstream(step)];
    while (queue.length > 0) {
      const next = queue.pop()!;
      if (this.s.status[next] !== PENDING) continue;
      skipped.push(this.markSkipped(next));
      queue.push(...this.downstream(next));
    }
    return skipped;
  }

  private skipAllPending(): string[] {
    const skipped: string[] = [];
    for (let i = 0; i < this.s.size; i++) if (this.s.status[i] === PENDING) skipped.push(this.markSkipped(i));
    return skipped;
  }
}
