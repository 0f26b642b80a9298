/**
 * Orchestration history events as the Durable extension sends them to a JavaScript worker
 * (Durable Task Framework event types and field names), built as plain objects.
 */

/** DurableTask.Core EventType values. */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventRaised: 15,
} as const;

export interface HistoryEvent {
  EventType: number;
  /** Sequence number for scheduled work (TaskScheduled, TimerCreated); -1 otherwise. */
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  Name?: string;
  Input?: string;
  Result?: string;
  TaskScheduledId?: number;
  TimerId?: number;
  FireAt?: string;
  Reason?: string;
  Details?: string;
}

const event = (type: number, at: Date, fields: Partial<HistoryEvent> = {}): HistoryEvent => ({
  EventType: type,
  EventId: -1,
  IsPlayed: false,
  Timestamp: at.toISOString(),
  ...fields,
});

export const orchestratorStarted = (at: Date): HistoryEvent => event(EventType.OrchestratorStarted, at);
export const orchestratorCompleted = (at: Date): HistoryEvent => event(EventType.OrchestratorCompleted, at);
export const executionStarted = (at: Date, name: string, input: unknown): HistoryEvent =>
  event(EventType.ExecutionStarted, at, { Name: name, Input: JSON.stringify(input) });
export const executionCompleted = (at: Date, result: unknown): HistoryEvent =>
  event(EventType.ExecutionCompleted, at, { Result: JSON.stringify(result ?? null) });
export const executionFailed = (at: Date, reason: string): HistoryEvent => event(EventType.ExecutionFailed, at, { Reason: reason });
export const taskScheduled = (at: Date, seq: number, name: string, input: unknown): HistoryEvent =>
  event(EventType.TaskScheduled, at, { EventId: seq, Name: name, Input: JSON.stringify(input) });
export const timerCreated = (at: Date, seq: number, fireAt: string): HistoryEvent => event(EventType.TimerCreated, at, { EventId: seq, FireAt: fireAt });
export const taskCompleted = (at: Date, seq: number, result: unknown): HistoryEvent =>
  event(EventType.TaskCompleted, at, { TaskScheduledId: seq, Result: JSON.stringify(result ?? null) });
/** A failed activity: the extension reports the exception's message as the reason. */
export const taskFailed = (at: Date, seq: number, message: string, details: string): HistoryEvent =>
  event(EventType.TaskFailed, at, { TaskScheduledId: seq, Reason: message, Details: details });
export const timerFired = (at: Date, seq: number, fireAt: string): HistoryEvent => event(EventType.TimerFired, at, { TimerId: seq, FireAt: fireAt });
export const eventRaised = (at: Date, name: string, payload: unknown): HistoryEvent =>
  event(EventType.EventRaised, at, { Name: name, Input: JSON.stringify(payload) });

/** Scheduled work in a history: the events that consumed a sequence number. */
export function isScheduled(e: HistoryEvent): boolean {
  return e.EventType === EventType.TaskScheduled || e.EventType === EventType.TimerCreated;
}
