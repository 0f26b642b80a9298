/**
 * Activities of one step: prepare (decide), submit (start one attempt), poll (monitor) and
 * finalize (outputs, metrics, status). Each is safe to run again with the same input.
 */
import { readFile } from 'node:fs/promises';
import { isJobFinished, type JobStatus } from '../compute/compute-target';
import { describeError, TributaryError } from '../errors';
import type { Activities } from '../orchestration/activity-types';
import type { StepDefinition } from '../model/definition';
import type { StepOutcome } from '../orchestration/messages';
import { tracksReads } from '../reuse/reads';
import { snapshotSource } from '../reuse/snapshot-source';
import { createStepReuse } from '../reuse/step-reuse';
import { localSnapshotStores } from '../snapshot/local-snapshots';
import { isTerminal, type ReuseRecord, type RunRecord, type StepRunRecord } from '../store/records';
import type { RunStore } from '../store/run-store';
import { attemptPaths, clearAttempt, outputFolder } from '../workspace/workspace';
import type { ActivityDeps } from './deps';
import { collectOutputs } from './step-outputs';
import { readMetricsFile } from './metrics-file';
import { buildStepJob } from './step-job';
import { resolveStepInputs } from './step-inputs';
import { updateStepRun, withoutVersion } from './step-records';
import type { RunCache } from './run-cache';

/** A step that ends within this long after it starts is never recorded as Running. */
const SHORT_STEP_MS = 100;

type StepActivities = Pick<Activities, 'prepareStep' | 'submitStep' | 'pollStep' | 'finalizeStep'>;

export function outcomeOf(record: StepRunRecord): StepOutcome {
  const status = record.status === 'Completed' || record.status === 'Failed' ? record.status : 'Canceled';
  return { step: record.step, status, reused: record.reused, ...(record.statusReason ? { message: record.statusReason } : {}) };
}

export function createStepActivities(deps: ActivityDeps, runs: RunCache): StepActivities {
  const { store, computes, data, workspace } = deps;
  const now = () => (deps.now ?? (() => new Date()))().toISOString();
  // Snapshots are read from the workspace's local store; where it lacks one, keys are not narrowed.
  const completedStep = (runId: string, step: string) => runs.completedStep(runId, step);
  const remember = <T extends StepRunRecord | undefined>(record: T): T => {
    if (record) runs.saw(record);
    return record;
  };
  const reuse = createStepReuse({ store, data, now, completedStep, snapshots: snapshotSource(localSnapshotStores(workspace).store) });

  return {
    async prepareStep({ runId, step }) {
      const { run, def } = await runs.step(runId, step);
      // As startRun found it (when it ran in this process): nothing touches a step before it starts.
      const existing = await runs.lastSeen(runId, step);
      if (existing && isTerminal(existing.status)) return { action: 'finished', outcome: outcomeOf(existing) };
      if (!existing?.handle) {
        const decision = await reuse.decide(run, def);
        if ('reuse' in decision) return { action: 'reused', outcome: outcomeOf(remember(await markReused(store, run, def, decision.reuse, now()))) };
      }
      if (existing?.handle) {
        // An attempt was under way when its driver stopped: make sure it is gone, then run again.
        await computes.resolve(existing.compute).cancel(existing.handle).catch(() => undefined);
      }
      const firstAttempt = existing?.handle ? existing.attempt + 1 : (existing?.attempt ?? 1);
      const compute = run.options.computeMap[def.compute] ?? def.compute;
      remember(await updateStepRun(store, runId, step, (current) => ({
        ...(current ? withoutVersion(current) : { runId, step, reused: false, outputs: {} }),
        status: 'Queued',
        attempt: firstAttempt,
        compute,
        handle: undefined,
        queuedAt: current?.queuedAt ?? now(),
      }), { current: existing }));
      return { action: 'run', firstAttempt, retry: def.retry };
    },

    async submitStep({ runId, step, attempt }) {
      const { run, def } = await runs.step(runId, step);
      const record = await runs.read(runId, step);
      if (record?.attempt === attempt && record.handle) return { handle: record.handle };
      if (record?.status === 'Canceled') return { rejected: record.statusReason ?? 'canceled before it started' };
      const paths = attemptPaths(workspace, runId, step, attempt);
      try {
        const target = computes.resolve(record?.compute ?? def.compute);
        const outputs = Object.fromEntries(Object.keys(def.outputs).map((o) => [o, outputFolder(workspace, runId, step, o)]));
        await clearAttempt(paths, Object.values(outputs));
        await deps.workDirs.prepare(def.codeDir, paths.workDir, { runId, step });
        const ctx = { runId, step, attempt, scratchDir: paths.dataDir };
        const inputs = await resolveStepInputs(run, def, completedStep, data, ctx);
        const job = await buildStepJob({ run, def, attempt, paths, inputs, outputs, pythonHelperDir: deps.pythonHelperDir });
        const handle = await target.submit(job);
        remember(await updateStepRun(store, runId, step, (current) => ({
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
        }), { current: record }));
        return { handle };
      } catch (err) {
        if (err instanceof TributaryError && !err.retryable) return { rejected: describeError(err) };
        throw err;
      }
    },

    async pollStep({ runId, step, attempt, handle, waitMs }) {
      const record = await runs.lastSeen(runId, step);
      const target = computes.resolve(record!.compute);
      // A step still recorded as Queued gets a quick look first, so Running is recorded when it starts.
      const queued = record?.status === 'Queued';
      let status = await target.poll(handle, queued ? 0 : waitMs);
      if (status.state === 'Queued' && waitMs > 0) status = await target.poll(handle, waitMs);
      // ...unless it ends within moments: a short step goes from Queued to its end in one write.
      if (status.state === 'Running' && queued && waitMs > 0) status = await target.poll(handle, Math.min(waitMs, SHORT_STEP_MS));
      if (status.state === 'Running' && queued && record.attempt === attempt) {
        remember(await updateStepRun(
          store,
          runId,
          step,
          (current) => (current?.status === 'Queued' ? { ...withoutVersion(current), status: 'Running', startedAt: status.startedAt ?? now() } : undefined),
          { current: record },
        ));
      }
      return status;
    },

    async finalizeStep({ runId, step, attempt, job }) {
      const { run, def } = await runs.step(runId, step);
      const paths = attemptPaths(workspace, runId, step, attempt);
      let status: StepOutcome['status'] = job.state === 'Succeeded' ? 'Completed' : job.state === 'Canceled' ? 'Canceled' : 'Failed';
      let message = job.message;
      let outputs: StepRunRecord['outputs'] = {};
      if (status === 'Completed') {
        const collected = await collectOutputs(def, workspace, data, { runId, step, attempt, scratchDir: paths.dataDir });
        if ('problem' in collected) {
          status = 'Failed';
          message = collected.problem;
        } else {
          outputs = collected.records;
        }
      }
      const reuseKey = status === 'Completed' ? await reuse.record(run, def, outputs, await readsOf(def, paths.reads)) : undefined;
      await data.persistAttemptArtifacts?.({ runId, step, attempt, scratchDir: paths.dataDir }, paths);
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
          ...(reuseKey ? { reuseKey } : {}),
        };
      }, { current: await runs.lastSeen(runId, step) });
      return { outcome: outcomeOf(remember(saved)!), retryable: isRetryable(job) };
    },
  };
}

/** Records a step run that takes an earlier run's outputs: completed at once, no attempt, no compute used. */
async function markReused(store: RunStore, run: RunRecord, def: StepDefinition, from: ReuseRecord, at: string): Promise<StepRunRecord> {
  const saved = await updateStepRun(store, run.id, def.name, (current) => ({
    ...(current ? withoutVersion(current) : { runId: run.id, step: def.name }),
    status: 'Completed',
    statusReason: undefined,
    attempt: 0,
    compute: run.options.computeMap[def.compute] ?? def.compute,
    queuedAt: current?.queuedAt ?? at,
    startedAt: at,
    endedAt: at,
    durationMs: 0,
    reused: true,
    reusedFrom: { runId: from.runId, step: from.step },
    reuseKey: from.key,
    outputs: from.outputs,
  }));
  return saved!;
}

/** What the read-tracking hook of a Python step wrote during the attempt (undefined: nothing). */
async function readsOf(def: StepDefinition, readsFile: string): Promise<string | undefined> {
  return tracksReads(def) ? readFile(readsFile, 'utf8').catch(() => undefined) : undefined;
}

/** Non-zero exits and timeouts may pass on another attempt; rejected submissions and cancels never do. */
function isRetryable(job: JobStatus): boolean {
  if (!isJobFinished(job.state)) return false;
  return job.state === 'TimedOut' || (job.state === 'Failed' && job.exitCode !== undefined);
}
