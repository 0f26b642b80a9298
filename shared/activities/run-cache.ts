import { NotFoundError } from '../errors';
import type { StepDefinition } from '../model/definition';
import type { RunRecord, StepRunRecord } from '../store/records';
import type { RunStore } from '../store/run-store';

/** Step runs remembered at most (the oldest go first). */
const STEP_LIMIT = 50_000;

/**
 * What this process knows of runs, so activities do not read the same records again and again.
 *
 * - A run's definition and parameters never change after submission: read once per process
 *   (a 1,000-step definition is large).
 * - Step runs are remembered as this process last read or wrote them (null: known not to exist).
 *   A Completed one is final (nothing reruns a completed step of its run), so the consumers of an
 *   output read its producer once. Any other remembered record may be stale and is only used
 *   where that is harmless: as the first guess of a versioned update (a stale guess costs a
 *   conflict and a re-read), or as the state `startRun` found for a step that has not started.
 */
export class RunCache {
  private readonly runs = new Map<string, RunRecord>();
  private readonly steps = new Map<string, StepRunRecord | null>();

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

  /** Remembers a step run as just read or written (`absent`: the step has no record yet). */
  saw(record: StepRunRecord): void;
  saw(absent: { runId: string; step: string }): void;
  saw(seen: StepRunRecord | { runId: string; step: string }): void {
    const key = stepKey(seen.runId, seen.step);
    this.steps.delete(key);
    this.steps.set(key, 'version' in seen ? seen : null);
    if (this.steps.size > STEP_LIMIT) this.steps.delete(this.steps.keys().next().value!);
  }

  /** The step run as this process last saw it, read from the store when it never did. */
  async lastSeen(runId: string, step: string): Promise<StepRunRecord | undefined> {
    const remembered = this.steps.get(stepKey(runId, step));
    if (remembered !== undefined) return remembered ?? undefined;
    return this.read(runId, step);
  }

  /** The step run from the store, remembered. */
  async read(runId: string, step: string): Promise<StepRunRecord | undefined> {
    const record = await this.store.getStepRun(runId, step);
    this.saw(record ?? { runId, step });
    return record;
  }

  /** The step run if it is Completed; undefined while it is not (or does not exist). */
  async completedStep(runId: string, step: string): Promise<StepRunRecord | undefined> {
    const remembered = this.steps.get(stepKey(runId, step));
    const record = remembered?.status === 'Completed' ? remembered : await this.read(runId, step);
    return record?.status === 'Completed' ? record : undefined;
  }

  forget(runId: string): void {
    this.runs.delete(runId);
    const prefix = stepKey(runId, '');
    for (const key of this.steps.keys()) if (key.startsWith(prefix)) this.steps.delete(key);
  }
}

const stepKey = (runId: string, step: string) => `${runId}\u0000${step}`;
