/**
 * Starting a run of a published pipeline, optionally under an Idempotency-Key.
 *
 * With a key, the run id is chosen first and claimed atomically (PublishStore.claimIdempotency);
 * only the claimant records the run and starts it. Everyone else with the same key (a retry, or
 * a concurrent duplicate) gets the claimed run id and starts nothing. Crash windows:
 *  1. claim stored, run not recorded (the claimant died or failed): a duplicate waits up to
 *     RECORD_WAIT_MS for the run to appear; if the claim was released (the claimant failed, e.g.
 *     a validation error) it tries afresh; if the claim is still there it records and starts the
 *     run itself under the claimed id. Recording is insert-if-absent, so a slow claimant and a
 *     duplicate cannot both start it: whoever recorded the run starts it.
 *  2. run recorded, launcher not called (the process died between the two): the run stays
 *     NotStarted. The local host re-queues such runs when it starts (host/run-dispatcher.ts); the
 *     Azure launcher must do the same for its deployment.
 *  3. launcher failed: the run is marked Failed and the claim released, so a retry starts anew.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { updateRunRecord } from '../../activities/run-records';
import { ConflictError, describeError } from '../../errors';
import type { PublishedPipelineRecord } from '../../publish/records';
import { newRunId } from '../../runs/run-ids';
import { checkSubmission, recordRun } from '../../runs/submit-run';
import type { RunStatus } from '../../store/records';
import type { ApiServices } from '../services';
import { assignedParameters } from './assigned-parameters';
import type { Invocation } from './invoke-body';

export const RECORD_WAIT_MS = 5000;

export interface InvokeTarget {
  /** Where Idempotency-Keys are unique: `pipeline:<id>` or `endpoint:<name>`. */
  scope: string;
  pipeline: PublishedPipelineRecord;
}

export interface StartedRun {
  runId: string;
  status: RunStatus;
  experiment: string;
  /** True when an earlier request with the same Idempotency-Key started this run. */
  replayed: boolean;
}

export async function startPublishedRun(
  services: ApiServices,
  target: InvokeTarget,
  invocation: Invocation,
  idempotencyKey?: string,
): Promise<StartedRun> {
  const experiment = invocation.experimentName ?? target.pipeline.definition.experimentName ?? target.pipeline.name;
  if (idempotencyKey === undefined) {
    assertActive(target.pipeline);
    return record(services, target, invocation, experiment, newRunId(experiment));
  }
  const now = services.now();
  if (target.pipeline.status === 'Disabled') {
    // A retry of a request accepted before the pipeline was disabled still gets its run.
    const existing = await services.publish.getIdempotency(target.scope, idempotencyKey, now.toISOString());
    if (existing) return replay(services, target, invocation, experiment, idempotencyKey, existing.runId, existing.requestHash);
    assertActive(target.pipeline);
  }
  const runId = newRunId(experiment, now);
  const claim = await services.publish.claimIdempotency({
    scope: target.scope,
    key: idempotencyKey,
    runId,
    requestHash: invocation.fingerprint,
    createdAt: now.toISOString(),
    expiresAt: new Date(now.getTime() + services.idempotencyTtlMs).toISOString(),
  });
  if (!claim.claimed) return replay(services, target, invocation, experiment, idempotencyKey, claim.record.runId, claim.record.requestHash);
  try {
    return await record(services, target, invocation, experiment, runId);
  } catch (err) {
    // Not recorded (e.g. a parameter error), or recorded and failed to start: the key is free again.
    const run = await services.runs.getRun(runId);
    if (!run || run.status === 'Failed') await services.publish.releaseIdempotency(target.scope, idempotencyKey, runId);
    throw err;
  }
}

function assertActive(pipeline: PublishedPipelineRecord): void {
  if (pipeline.status === 'Disabled') {
    throw new ConflictError(
      `published pipeline ${pipeline.id} (${pipeline.name} version ${pipeline.version}) is disabled, so no run was started; enable it with POST /api/pipelines/${pipeline.id}/enable`,
      'pipelineId',
    );
  }
}

/** Records the run under `runId` and hands it to the launcher, unless someone else recorded it first. */
async function record(services: ApiServices, target: InvokeTarget, invocation: Invocation, experiment: string, runId: string): Promise<StartedRun> {
  const { definition, snapshots } = target.pipeline;
  const checked = checkSubmission({
    definition: invocation.continueOnStepFailure === undefined ? definition : { ...definition, continueOnStepFailure: invocation.continueOnStepFailure },
    experiment,
    parameters: assignedParameters(definition, invocation.assignments),
    parametersSource: invocation.parametersField,
    options: { regenerateOutputs: invocation.regenerateOutputs, source: 'endpoint' },
    publishedPipelineId: target.pipeline.id,
    knownComputes: [...services.knownComputes],
    runId,
  });
  let status: RunStatus;
  try {
    status = (await recordRun(services.runs, checked, snapshots ? { snapshots } : {})).status;
  } catch (err) {
    const recorded = err instanceof ConflictError ? await services.runs.getRun(runId) : undefined;
    if (recorded) return { runId, status: recorded.status, experiment: recorded.experiment, replayed: true };
    throw err;
  }
  try {
    await services.launcher.start(runId);
  } catch (err) {
    await updateRunRecord(services.runs, runId, () => ({ status: 'Failed', statusReason: `could not be started: ${describeError(err)}`, endedAt: new Date().toISOString() }));
    throw err;
  }
  return { runId, status, experiment, replayed: false };
}

async function replay(
  services: ApiServices,
  target: InvokeTarget,
  invocation: Invocation,
  experiment: string,
  key: string,
  runId: string,
  requestHash: string,
): Promise<StartedRun> {
  if (requestHash !== invocation.fingerprint) {
    throw new ConflictError(
      `Idempotency-Key "${key}" was first used with a different request (run ${runId}); use a new key for a different request`,
      'Idempotency-Key',
    );
  }
  const deadline = Date.now() + RECORD_WAIT_MS;
  for (;;) {
    const run = await services.runs.getRun(runId);
    if (run) return { runId, status: run.status, experiment: run.experiment, replayed: true };
    const claim = await services.publish.getIdempotency(target.scope, key, services.now().toISOString());
    if (!claim || claim.runId !== runId) return startPublishedRun(services, target, invocation, key);
    if (Date.now() >= deadline) return record(services, target, invocation, experiment, runId);
    await sleep(10);
  }
}
