/**
 * Names the Function App registers and the instance ids it derives. Everything that names a
 * function, an event or an instance goes through here (no bare strings elsewhere).
 */
import { createHash } from 'node:crypto';

export const RUN_ORCHESTRATION = 'runOrchestration';
export const STEP_ORCHESTRATION = 'stepOrchestration';
/** The timer that starts runs left without an orchestration (`unstarted-runs.ts`). */
export const RESTART_SWEEP = 'restartSweep';
/** The one external event a run orchestration waits for (payload: RunEvent). */
export const RUN_EVENT = 'RunEvent';

/** Activities that use the Durable client; the typed registry's activities keep their own names. */
export const CLIENT_ACTIVITY = {
  startSteps: 'startStepOrchestrations',
  signalRun: 'signalRunOrchestration',
  missedRunEvents: 'missedRunEvents',
} as const;
export type ClientActivityName = (typeof CLIENT_ACTIVITY)[keyof typeof CLIENT_ACTIVITY];

/** Durable instance ids: 1–100 characters, none of / \ # ?, not starting with "@". */
const MAX_INSTANCE_ID = 100;

/** A run's orchestration is the run: its instance id is the run id (safe by construction). */
export function runInstanceId(runId: string): string {
  return runId;
}

/**
 * A step's orchestration: `<runId>~<step>` ("~" never appears in run ids or step names). When
 * that is too long, a deterministic shortened form keeps both prefixes readable and unique.
 */
export function stepInstanceId(runId: string, step: string): string {
  const plain = `${runId}~${step}`;
  if (plain.length <= MAX_INSTANCE_ID) return plain;
  const hash = createHash('sha256').update(runId).update('\n').update(step).digest('hex').slice(0, 24);
  return `${runId.slice(0, 40)}~${step.slice(0, 32)}~${hash}`;
}
