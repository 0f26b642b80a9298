/** Activities of a whole run: start (plan), skip and cancel steps, finish (final status). */
import { describeError, TributaryError } from '../errors';
import { stepDependencies } from '../model/graph';
import type { Activities } from '../orchestration/activity-types';
import type { RunPlan } from '../orchestration/messages';
import { isTerminal, type RunRecord, type RunStatus } from '../store/records';
import type { ActivityDeps } from './deps';
import type { RunCache } from './run-cache';
import { outcomeOf } from './step-activities';
import { updateStepRun, withoutVersion } from './step-records';
import { updateRunRecord } from './run-records';

type RunActivities = Pick<Activities, 'startRun' | 'skipSteps' | 'cancelSteps' | 'finishRun'>;

export function createRunActivities(deps: ActivityDeps, runs: RunCache): RunActivities {
  const { store } = deps;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();

  return {
    async startRun({ runId }) {
      const run = await runs.run(runId);
      await updateRunRecord(store, runId, (current) =>
        current.status === 'NotStarted' || current.status === 'Queued'
          ? { status: 'Running', startedAt: current.startedAt ?? now() }
          : undefined,
      );
      const deps = stepDependencies(run.definition);
      const records = await store.listStepRuns(runId);
      for (const step of Object.keys(run.definition.steps)) runs.saw({ runId, step });
      for (const record of records) runs.saw(record);
      const finished = records.filter((s) => isTerminal(s.status)).map(outcomeOf);
      const plan: RunPlan = {
        steps: Object.keys(run.definition.steps).map((name) => ({ name, after: [...(deps.get(name) ?? [])] })),
        continueOnStepFailure: run.definition.continueOnStepFailure,
        finished,
      };
      return plan;
    },

    async skipSteps({ runId, steps, reason, reasons = {} }) {
      const run = await runs.run(runId);
      for (const step of steps) {
        const saved = await updateStepRun(store, runId, step, (current) => {
          if (current && isTerminal(current.status)) return undefined;
          const base = current ? withoutVersion(current) : { runId, step, attempt: 0, reused: false, outputs: {} };
          const compute = run.options.computeMap[run.definition.steps[step]!.compute] ?? run.definition.steps[step]!.compute;
          return { ...base, compute, status: 'Canceled', statusReason: `not started: ${Object.hasOwn(reasons, step) ? reasons[step] : reason}`, endedAt: now() };
        }, { current: await runs.lastSeen(runId, step) });
        if (saved) runs.saw(saved);
      }
    },

    async cancelSteps({ runId, steps, reason }) {
      for (const step of steps) {
        const record = await runs.read(runId, step);
        if (!record || isTerminal(record.status)) continue;
        if (record.handle) await deps.computes.resolve(record.compute).cancel(record.handle);
        const saved = await updateStepRun(store, runId, step, (current) =>
          current && !current.handle && !isTerminal(current.status)
            ? { ...withoutVersion(current), status: 'Canceled', statusReason: reason, endedAt: now() }
            : undefined,
        );
        if (saved) runs.saw(saved);
      }
    },

    async finishRun({ runId, canceledReason }) {
      const steps = await store.listStepRuns(runId);
      const run = await runs.run(runId);
      let { status, reason } = finalStatus(run, steps.map((s) => ({ step: s.step, status: s.status, reason: s.statusReason })), canceledReason);
      try {
        await deps.data.flush?.(runId, steps.flatMap((s) => Object.values(s.outputs)));
      } catch (err) {
        if (err instanceof TributaryError && err.retryable) throw err;
        if (status === 'Completed') [status, reason] = ['Failed', `outputs did not reach the datastore: ${describeError(err)}`];
      }
      const saved = await updateRunRecord(store, runId, (current) =>
        isTerminal(current.status) ? undefined : { status, statusReason: reason, endedAt: now() },
      );
      runs.forget(runId);
      return { runId, status: saved.status, ...(saved.statusReason ? { statusReason: saved.statusReason } : {}) };
    },
  };
}

function finalStatus(
  run: RunRecord,
  steps: { step: string; status: RunStatus; reason?: string }[],
  canceledReason?: string,
): { status: RunStatus; reason?: string } {
  if (canceledReason) return { status: 'Canceled', reason: canceledReason };
  const failed = steps.find((s) => s.status === 'Failed' || !isTerminal(s.status));
  if (failed) return { status: 'Failed', reason: `step "${failed.step}" failed${failed.reason ? `: ${failed.reason}` : ''}` };
  const recorded = new Set(steps.map((s) => s.step));
  const neverStarted = Object.keys(run.definition.steps).find((name) => !recorded.has(name));
  // A step with no record failed before it could be prepared (its orchestration reported an error).
  if (neverStarted) return { status: 'Failed', reason: `step "${neverStarted}" could not be started` };
  if (steps.every((s) => s.status === 'Completed')) return { status: 'Completed' };
  const canceled = steps.find((s) => s.status === 'Canceled');
  return { status: 'Canceled', reason: canceled?.reason ?? 'not every step ran' };
}
