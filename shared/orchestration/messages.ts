/**
 * Payloads that travel between orchestrations and activities. Kept small and JSON-only:
 * in Durable Functions they are written to the history (large payloads cost blob round trips).
 */
import type { RunStatus } from '../store/records';
import type { DagSnapshot } from './dag-state';

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
  /** The walk so far, when an earlier generation of this run continued as new (absent at start). */
  resume?: DagSnapshot;
}

export interface StepOrchestrationInput {
  runId: string;
  step: string;
  /** The step's position in the run's plan: its RunEvent carries it back so the run needs no lookup. */
  index: number;
  monitor: MonitorSettings;
  /** The attempt being watched, when an earlier generation of this step continued as new. */
  resume?: AttemptInProgress;
}

/** A submitted attempt whose monitor loop continues in a new generation (bounded history). */
export interface AttemptInProgress {
  attempt: number;
  handle: string;
  /** Next durable-timer delay of the monitor loop. */
  delayMs: number;
  /** Retry policy as prepared: attempts run from `firstAttempt` to `lastAttempt`. */
  firstAttempt: number;
  lastAttempt: number;
  retryDelaySeconds: number;
}

/** What a finished step tells the run orchestration. */
export interface StepOutcome {
  step: string;
  status: Extract<RunStatus, 'Completed' | 'Failed' | 'Canceled'>;
  reused: boolean;
  message?: string;
}

export type RunEvent = { type: 'stepFinished'; outcome: StepOutcome; index: number } | { type: 'cancel'; reason: string };

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
