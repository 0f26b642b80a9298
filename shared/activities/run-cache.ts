import { NotFoundError } from '../errors';
import type { StepDefinition } from '../model/definition';
import type { RunRecord } from '../store/records';
import type { RunStore } from '../store/run-store';

/**
 * Runs' definitions and parameters never change after submission, so activities read them once
 * per process instead of once per call (a 1,000-step definition is large).
 */
export class RunCache {
  private readonly runs = new Map<string, RunRecord>();

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

  forget(runId: string): void {
    this.runs.delete(runId);
  }
}
