/**
 * Restarts an orchestration from a prefix of its history, as the host does after a crash: the
 * committed part (up to the last completed episode inside the prefix) is replayed, and every
 * message that arrived after it (task results, timers, events) is delivered again, one per
 * episode, with work read back the way the extension reads it. The restarted execution must
 * schedule exactly the work the original did (same sequence numbers, same names) and end in the
 * same state.
 */
import * as h from './history';
import { readActions, type OrchestratorState } from './extension-reader';
import type { ReplayHarness } from './replay-harness';

const MESSAGES: ReadonlySet<number> = new Set([h.EventType.TaskCompleted, h.EventType.TaskFailed, h.EventType.TimerFired, h.EventType.EventRaised]);
const ENDINGS: ReadonlySet<number> = new Set([h.EventType.ExecutionCompleted, h.EventType.ExecutionFailed]);

export interface Ending {
  isDone: boolean;
  output: unknown;
  error?: string;
  customStatus: unknown;
  /** The input of the next generation, when the execution continued as new. */
  continuedAs?: unknown;
  /** Every scheduled task in sequence order ("#3 pollStep", "#4 timer at …"). */
  scheduled: string[];
}

/** How an execution ended, replaying its whole history once. */
export async function endingOf(harness: ReplayHarness, instanceId: string, history: h.HistoryEvent[]): Promise<Ending> {
  const events = history.filter((e) => !ENDINGS.has(e.EventType));
  const { name, input } = started(events);
  return ending(await harness.replay(name, instanceId, input, played(events)), events);
}

/** Restarts from `prefixLength` events of `history` and returns how the restarted execution ended. */
export async function restartFrom(harness: ReplayHarness, instanceId: string, history: h.HistoryEvent[], prefixLength: number): Promise<Ending> {
  const events = history.filter((e) => !ENDINGS.has(e.EventType));
  const { name, input } = started(events);
  const committed = lastCompletedEpisode(events, prefixLength);
  const redelivered: { message: h.HistoryEvent; at: string }[] = [];
  let episodeStart = '';
  events.forEach((e, i) => {
    if (e.EventType === h.EventType.OrchestratorStarted) episodeStart = e.Timestamp;
    if (i >= committed && MESSAGES.has(e.EventType)) redelivered.push({ message: e, at: episodeStart });
  });
  let log = played(events.slice(0, committed));
  let state: OrchestratorState | undefined;
  for (const { message, at } of redelivered) {
    const opened = [h.orchestratorStarted(new Date(at)), { ...message, IsPlayed: false }];
    state = await harness.replay(name, instanceId, input, [...log, ...opened]);
    const read = readActions(state, log);
    const scheduled = read.newWork.map((w) => (w.kind === 'activity' ? h.taskScheduled(new Date(at), w.seq, w.name, w.input) : h.timerCreated(new Date(at), w.seq, w.fireAt)));
    log = played([...log, ...opened, ...scheduled, h.orchestratorCompleted(new Date(at))]);
  }
  state ??= await harness.replay(name, instanceId, input, log);
  return ending(state, log);
}

function started(events: h.HistoryEvent[]): { name: string; input: unknown } {
  const start = events.find((e) => e.EventType === h.EventType.ExecutionStarted);
  if (!start) throw new Error('history without ExecutionStarted');
  return { name: start.Name!, input: JSON.parse(start.Input!) };
}

/** Index just past the last OrchestratorCompleted within the first `length` events (at least the first episode). */
function lastCompletedEpisode(events: h.HistoryEvent[], length: number): number {
  let end = events.findIndex((e) => e.EventType === h.EventType.OrchestratorCompleted) + 1;
  for (let i = 0; i < Math.min(length, events.length); i++) if (events[i]!.EventType === h.EventType.OrchestratorCompleted) end = i + 1;
  return end;
}

function played(events: h.HistoryEvent[]): h.HistoryEvent[] {
  return events.map((e) => ({ ...e, IsPlayed: true }));
}

function ending(state: OrchestratorState, history: h.HistoryEvent[]): Ending {
  const scheduled = history.filter(h.isScheduled).sort((a, b) => a.EventId - b.EventId);
  return {
    isDone: state.isDone,
    output: state.output,
    ...(state.error === undefined ? {} : { error: state.error }),
    customStatus: state.customStatus,
    ...(state.isDone ? { continuedAs: readActions(state, history).continueAsNew?.input } : {}),
    scheduled: scheduled.map((e) => (e.EventType === h.EventType.TaskScheduled ? `#${e.EventId} ${e.Name}` : `#${e.EventId} timer at ${e.FireAt}`)),
  };
}
