/**
 * Payloads that travel between orchestrations and activities. Kept small and JSON-only:
 * in Durable Functions they are written to the history (large payloads cost blob round trips).
 */
import type { RunStatus } from '../store/records';

/** How a step orchestration watches its compute job (monitor pattern). */
export interface MonitorSettings {
  /** How long one poll activity may wait for the job to finish (long poll). */
  pollWaitMs: number;
  /** First durable-timer delay between polls; doubles per poll up to `maxDelayMs`. 0 = no timer. */
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface RunOrchestrationInput {
  runId: string;
  monitor: MonitorSettings;
}

export interface StepOrchestrationInput {
  runId: string;
  step: string;
  monitor: MonitorSettings;
}

/** What a finished step tells the run orchestration. */
export interface StepOutcome {
  step: string;
  status: Extract<RunStatus, 'Completed' | 'Failed' | 'Canceled'>;
  reused: boolean;
  message?: string;
}

export type RunEvent = { type: 'stepFinished'; outcome: StepOutcome } | { type: 'cancel'; reason: string };

/** The DAG as the run orchestration needs it: names and upstream edges only. */
export interface RunPlan {
  steps: { name: string; after: string[] }[];
  continueOnStepFailure: boolean;
  /** Steps already finished before this orchestration started (local resume after a crash). */
  finished: StepOutcome[];
}

export interface RunSummary {
  runId: string;
  status: RunStatus;
  statusReason?: string;
}
