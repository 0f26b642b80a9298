import { NotFoundError } from '../errors';
import type { StepDefinition } from '../model/definition';
import type { RunRecord, StepRunRecord } from '../store/records';
import type { RunStore } from '../store/run-store';

/** Completed step runs kept at most (the oldest go first). */
const COMPLETED_LIMIT = 50_000;

/**
 * Runs' definitions and parameters never change after submission, so activities read them once
 * per process instead of once per call (a 1,000-step definition is large). Neither does a step
 * run once Completed (nothing reruns a completed step of its run), so the consumers of an output
 * read its producer once per process, not once per consumer and activity.
 */
export class RunCache {
  private readonly runs = new Map<string, RunRecord>();
  private readonly completed = new Map<string, StepRunRecord>();

  constructor(private readonly store: RunStore) {}

  async run(runId: string): Promise<RunRecord> {
    const cached = this.runs.get(runId);
    if (cached) return cached;
    const run = await this.store.getRun(runId);
    if (!run) throw new NotFoundError(`run "${runId}" does not exist`, 'runId');
    this.runs.set(runId, run);
    return run;
  }

  async step(runId: string, step: string): Promise<{ run: RunRecord; def: StepDefinition }> {
    const run = await this.run(runId);
    const def = run.definition.steps[step];
    if (!def) throw new NotFoundError(`run "${runId}" has no step "${step}"`, 'step');
    return { run, def };
  }

  /** The step run if it is Completed; undefined while it is not (or does not exist). */
  async completedStep(runId: string, step: string): Promise<StepRunRecord | undefined> {
    const key = completedKey(runId, step);
    const cached = this.completed.get(key);
    if (cached) return cached;
    const record = await this.store.getStepRun(runId, step);
    if (record?.status !== 'Completed') return undefined;
    this.completed.set(key, record);
    if (this.completed.size > COMPLETED_LIMIT) this.completed.delete(this.completed.keys().next().value!);
    return record;
  }

  forget(runId: string): void {
    this.runs.delete(runId);
    const prefix = completedKey(runId, '');
    for (const key of this.completed.keys()) if (key.startsWith(prefix)) this.completed.delete(key);
  }
}

const completedKey = (runId: string, step: string) => `${runId}\u0000${step}`;
