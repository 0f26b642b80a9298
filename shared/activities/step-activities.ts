/**
 * Activities of one step: prepare (decide), submit (start one attempt), poll (monitor) and
 * finalize (outputs, metrics, status). Each is safe to run again with the same input.
 */
import { rm } from 'node:fs/promises';
import { isJobFinished, type JobStatus } from '../compute/compute-target';
import { describeError, TributaryError } from '../errors';
import type { Activities } from '../orchestration/activity-types';
import type { StepOutcome } from '../orchestration/messages';
import { isTerminal, type StepRunRecord } from '../store/records';
import { attemptPaths, outputFolder } from '../workspace/workspace';
import type { ActivityDeps } from './deps';
import { collectOutputs } from './step-outputs';
import { readMetricsFile } from './metrics-file';
import { buildStepJob } from './step-job';
import { resolveStepInputs } from './step-inputs';
import { updateStepRun, withoutVersion } from './step-records';
import type { RunCache } from './run-cache';

type StepActivities = Pick<Activities, 'prepareStep' | 'submitStep' | 'pollStep' | 'finalizeStep'>;

export function outcomeOf(record: StepRunRecord): StepOutcome {
  const status = record.status === 'Completed' || record.status === 'Failed' ? record.status : 'Canceled';
  return { step: record.step, status, reused: record.reused, ...(record.statusReason ? { message: record.statusReason } : {}) };
}

export function createStepActivities(deps: ActivityDeps, runs: RunCache): StepActivities {
  const { store, computes, data, workspace } = deps;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();

  return {
    async prepareStep({ runId, step }) {
      const { run, def } = await runs.step(runId, step);
      const existing = await store.getStepRun(runId, step);
      if (existing && isTerminal(existing.status)) return { action: 'finished', outcome: outcomeOf(existing) };
      if (existing?.handle) {
        // An attempt was under way when its driver stopped: make sure it is gone, then run again.
        await computes.resolve(existing.compute).cancel(existing.handle).catch(() => undefined);
      }
      const firstAttempt = existing?.handle ? existing.attempt + 1 : (existing?.attempt ?? 1);
      const compute = run.options.computeMap[def.compute] ?? def.compute;
      await updateStepRun(store, runId, step, (current) => ({
        ...(current ? withoutVersion(current) : { runId, step, reused: false, outputs: {} }),
        status: 'Queued',
        attempt: firstAttempt,
        compute,
        handle: undefined,
        queuedAt: current?.queuedAt ?? now(),
      }));
      return { action: 'run', firstAttempt, retry: def.retry };
    },

    async submitStep({ runId, step, attempt }) {
      const { run, def } = await runs.step(runId, step);
      const record = await store.getStepRun(runId, step);
      if (record?.attempt === attempt && record.handle) return { handle: record.handle };
      if (record?.status === 'Canceled') return { rejected: record.statusReason ?? 'canceled before it started' };
      const paths = attemptPaths(workspace, runId, step, attempt);
      try {
        const target = computes.resolve(record?.compute ?? def.compute);
        await rm(paths.dir, { recursive: true, force: true });
        await deps.workDirs.prepare(def.codeDir, paths.workDir, { runId, step });
        const ctx = { runId, step, attempt, scratchDir: paths.dir };
        const inputs = await resolveStepInputs(run, def, store, data, ctx);
        const outputs = Object.fromEntries(Object.keys(def.outputs).map((o) => [o, outputFolder(workspace, runId, step, o)]));
        for (const folder of Object.values(outputs)) await rm(folder, { recursive: true, force: true });
        const job = await buildStepJob({ run, def, attempt, paths, inputs, outputs, pythonHelperDir: deps.pythonHelperDir });
        const handle = await target.submit(job);
        await updateStepRun(store, runId, step, (current) => ({
          ...withoutVersion(current!),
          status: 'Queued',
          statusReason: undefined,
          exitCode: undefined,
          startedAt: undefined,
          endedAt: undefined,
          durationMs: undefined,
          attempt,
          handle,
          command: job.command,
        }));
        return { handle };
      } catch (err) {
        if (err instanceof TributaryError && !err.retryable) return { rejected: describeError(err) };
        throw err;
      }
    },

    async pollStep({ runId, step, attempt, handle, waitMs }) {
      const record = await store.getStepRun(runId, step);
      const target = computes.resolve(record!.compute);
      // A step still recorded as Queued gets a quick look first, so Running is recorded when it starts.
      let status = await target.poll(handle, record?.status === 'Queued' ? 0 : waitMs);
      if (status.state === 'Queued' && waitMs > 0) status = await target.poll(handle, waitMs);
      if (status.state === 'Running' && record?.status === 'Queued' && record.attempt === attempt) {
        await updateStepRun(store, runId, step, (current) =>
          current?.status === 'Queued' ? { ...withoutVersion(current), status: 'Running', startedAt: status.startedAt ?? now() } : undefined,
        );
      }
      return status;
    },

    async finalizeStep({ runId, step, attempt, job }) {
      const { def } = await runs.step(runId, step);
      const paths = attemptPaths(workspace, runId, step, attempt);
      let status: StepOutcome['status'] = job.state === 'Succeeded' ? 'Completed' : job.state === 'Canceled' ? 'Canceled' : 'Failed';
      let message = job.message;
      let outputs: StepRunRecord['outputs'] = {};
      if (status === 'Completed') {
        const collected = await collectOutputs(def, workspace, data, { runId, step, attempt, scratchDir: paths.dir });
        if ('problem' in collected) {
          status = 'Failed';
          message = collected.problem;
        } else {
          outputs = collected.records;
        }
      }
      const metrics = await readMetricsFile(paths.metrics, runId, step);
      if (metrics.length > 0) await store.addMetrics(metrics);
      const endedAt = job.endedAt ?? now();
      const saved = await updateStepRun(store, runId, step, (current) => {
        if (current && isTerminal(current.status) && current.attempt >= attempt) return undefined;
        const startedAt = current?.startedAt ?? job.startedAt;
        return {
          ...withoutVersion(current!),
          status,
          statusReason: message,
          exitCode: job.exitCode,
          startedAt,
          endedAt,
          durationMs: startedAt ? Date.parse(endedAt) - Date.parse(startedAt) : undefined,
          outputs,
        };
      });
      return { outcome: outcomeOf(saved!), retryable: isRetryable(job) };
    },
  };
}

/** Non-zero exits and timeouts may pass on another attempt; rejected submissions and cancels never do. */
function isRetryable(job: JobStatus): boolean {
  if (!isJobFinished(job.state)) return false;
  return job.state === 'TimedOut' || (job.state === 'Failed' && job.exitCode !== undefined);
}
