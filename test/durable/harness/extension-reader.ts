/**
 * Reads an orchestrator's returned actions the way the Durable extension does for replay schema
 * V3: it walks the single action list in order and calls the Durable Task Framework API for every
 * leaf, descending into WhenAll/WhenAny. Each activity or timer leaf takes the next sequence
 * number; if the history already holds scheduled work with that number it must be the same work
 * (else the orchestration is not deterministic), otherwise it is NEW work the extension schedules.
 *
 * So a task re-listed inside a new WhenAny/WhenAll takes a fresh number and is scheduled again,
 * exactly the double scheduling of azure-functions-durable-js#574.
 */
import { EventType, isScheduled, type HistoryEvent } from './history';

/** durable-functions ActionType values. */
const ActionType = { CallActivity: 0, CallActivityWithRetry: 1, ContinueAsNew: 4, CreateTimer: 5, WaitForExternalEvent: 6, WhenAny: 11, WhenAll: 12 } as const;

export interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  fireAt?: string;
  externalEventName?: string;
  compoundActions?: Action[];
}

/** What the worker returned for one episode (OrchestratorState after the JSON trip to the host). */
export interface OrchestratorState {
  isDone: boolean;
  actions: Action[][];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  schemaVersion: number;
}

export type NewWork = { kind: 'activity'; seq: number; name: string; input: unknown } | { kind: 'timer'; seq: number; fireAt: string };

export interface ReadResult {
  newWork: NewWork[];
  /** External-event waits the orchestration has made so far (each consumed, or is waiting for, one event). */
  eventWaits: number;
  continueAsNew?: { input: unknown };
}

export class NonDeterminismError extends Error {}

export function readActions(state: OrchestratorState, history: HistoryEvent[]): ReadResult {
  if (state.schemaVersion !== 2) throw new Error(`expected replay schema V3 (2), got ${state.schemaVersion}`);
  if (state.actions.length !== 1) throw new Error(`schema V3 expects one action list, got ${state.actions.length}`);
  const past = history.filter(isScheduled).sort((a, b) => a.EventId - b.EventId);
  const result: ReadResult = { newWork: [], eventWaits: 0 };
  let seq = 0;

  const visit = (action: Action): void => {
    switch (action.actionType) {
      case ActionType.WhenAll:
      case ActionType.WhenAny:
        for (const child of action.compoundActions ?? []) visit(child);
        return;
      case ActionType.WaitForExternalEvent:
        result.eventWaits++;
        return;
      case ActionType.ContinueAsNew:
        result.continueAsNew = { input: action.input };
        return;
      case ActionType.CallActivity:
        return leaf({ kind: 'activity', seq: seq++, name: action.functionName!, input: action.input });
      case ActionType.CreateTimer:
        return leaf({ kind: 'timer', seq: seq++, fireAt: action.fireAt! });
      default:
        throw new Error(`the harness does not model action type ${action.actionType}`);
    }
  };

  const leaf = (work: NewWork): void => {
    const scheduled = past[work.seq];
    if (!scheduled) {
      result.newWork.push(work);
      return;
    }
    const same =
      work.kind === 'activity'
        ? scheduled.EventType === EventType.TaskScheduled && scheduled.Name === work.name
        : scheduled.EventType === EventType.TimerCreated && scheduled.FireAt === work.fireAt;
    if (!same) {
      const got = work.kind === 'activity' ? `activity ${work.name}` : `timer at ${work.fireAt}`;
      throw new NonDeterminismError(`sequence #${work.seq}: history has ${describe(scheduled)}, the orchestrator now asks for ${got}`);
    }
  };

  for (const action of state.actions[0]!) visit(action);
  if (seq < past.length) {
    throw new NonDeterminismError(`the history holds ${past.length} scheduled tasks but the orchestrator asked for only ${seq}`);
  }
  return result;
}

function describe(e: HistoryEvent): string {
  return e.EventType === EventType.TaskScheduled ? `activity ${e.Name}` : `timer at ${e.FireAt}`;
}
