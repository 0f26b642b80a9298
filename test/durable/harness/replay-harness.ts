/**
 * A Durable Functions host in miniature for tests: it drives REGISTERED orchestrator handlers
 * (wrapped by durable-functions' own `createOrchestrator`, as `df.app.orchestration` does) through
 * whole runs with synthesized histories (replay schema V3), the way the extension does:
 *
 * - an episode sends the whole history (past events played, new ones not) as JSON, like the host;
 * - the returned actions are read as the extension reads them (`extension-reader.ts`): new work
 *   gets TaskScheduled/TimerCreated events and runs; re-listed work is scheduled again;
 * - activities run in-process (registered handlers), timers fire on a virtual clock, started
 *   instances and raised events are routed between instances (`client`);
 * - continue-as-new starts a fresh execution and drops events it never handled, as the extension
 *   does (its ContinueAsNew does not preserve unprocessed events for out-of-process workers).
 *
 * Every episode is replayed twice and must return the same state (determinism), and every
 * `submitStep` ever scheduled is counted per attempt: a second one throws DoubleSubmissionError.
 */
import { InvocationContext } from '@azure/functions';
import type { OrchestrationHandler } from 'durable-functions';
import { createOrchestrator } from 'durable-functions/lib/src/util/testingUtils';
import type { ActivityHandler } from '../../../functions/durable/activity-handlers';
import type { InstanceClient, InstanceState } from '../../../functions/durable/instance-client';
import type { ActivityName, AttemptRef } from '../../../shared/orchestration/activity-types';
import * as h from './history';
import { NonDeterminismError, readActions, type OrchestratorState } from './extension-reader';

export type RuntimeStatus = 'Pending' | 'Running' | 'Completed' | 'Failed';

export interface HarnessOptions {
  orchestrations: Record<string, OrchestrationHandler>;
  activities: Record<string, ActivityHandler>;
  /** 'batch': an episode takes every queued message, as the extension does; 'one': one per episode (worst case). */
  delivery?: 'batch' | 'one';
  /**
   * 'fifo': work runs in the order it was queued; 'activitiesFirst': every queued activity runs
   * before the next episode, as with many parallel workers, so results pile up between episodes.
   */
  order?: 'fifo' | 'activitiesFirst';
  /** Replay every episode a second time and compare (default true; the benchmark turns it off). */
  checkDeterminism?: boolean;
  /** Also drop events still queued when an instance continues as new (harsher than the extension). */
  dropQueuedEventsOnContinueAsNew?: boolean;
}

export interface HarnessStats {
  episodes: number;
  /** History events handed to orchestrator handlers, summed over episodes. */
  historyEventsReplayed: number;
  /** CPU time (user + system) spent in orchestrator handlers, including parsing the trigger. */
  orchestratorCpuMicros: number;
  /** The same two measures per orchestration name. */
  byOrchestration: Record<string, { episodes: number; historyEventsReplayed: number; cpuMicros: number }>;
  generations: number;
  /** Longest history any execution reached (bounded histories keep this flat). */
  longestHistory: number;
  /** Events an instance had received but not handled when it continued as new (lost by design). */
  eventsDroppedOnContinueAsNew: number;
  activityCalls: number;
}

export class DoubleSubmissionError extends Error {}

interface Message {
  event: h.HistoryEvent;
  /** The execution a task result belongs to (events raised to the instance belong to any). */
  execution: number;
}

interface Instance {
  id: string;
  name: string;
  input: unknown;
  execution: number;
  history: h.HistoryEvent[];
  /** Histories of earlier executions (continued as new), oldest first. */
  earlier: h.HistoryEvent[][];
  inbox: Message[];
  status: RuntimeStatus;
  output?: unknown;
  customStatus?: unknown;
  episodeQueued: boolean;
}

type Work = { kind: 'episode'; instance: Instance } | { kind: 'activity'; instance: Instance; execution: number; seq: number; name: string; input: unknown };
interface Timer {
  instance: Instance;
  execution: number;
  seq: number;
  fireAt: string;
}

const SUBMIT: ActivityName = 'submitStep';
/** Timers due within the same second fire together, as a host polling its timer queue would. */
const TIMER_RESOLUTION_MS = 1000;

export class ReplayHarness {
  readonly stats: HarnessStats = {
    episodes: 0,
    historyEventsReplayed: 0,
    orchestratorCpuMicros: 0,
    byOrchestration: {},
    generations: 0,
    longestHistory: 0,
    eventsDroppedOnContinueAsNew: 0,
    activityCalls: 0,
  };
  /** `runId/step#attempt` → number of submitStep tasks scheduled for it. */
  readonly submissions = new Map<string, number>();
  private readonly handlers = new Map<string, (trigger: unknown, context: InvocationContext) => Promise<unknown>>();
  private readonly instances = new Map<string, Instance>();
  private readonly queue: Work[] = [];
  private readonly timers: Timer[] = [];
  private clock = Date.UTC(2025, 0, 1);
  private invocations = 0;

  constructor(private readonly options: HarnessOptions) {
    for (const [name, handler] of Object.entries(options.orchestrations)) this.handlers.set(name, createOrchestrator(handler));
  }

  /** The Durable client as Tributary's client activities and launcher see it. */
  readonly client: InstanceClient = {
    status: async (id) => {
      const inst = this.instances.get(id);
      return inst && ({ runtimeStatus: inst.status, output: inst.output, customStatus: inst.customStatus } satisfies InstanceState);
    },
    start: async (name, id, input) => {
      const existing = this.instances.get(id);
      if (existing && (existing.status === 'Pending' || existing.status === 'Running')) throw new Error(`An instance with ID '${id}' already exists.`);
      if (!this.handlers.has(name)) throw new Error(`no orchestration named ${name}`);
      const inst: Instance = { id, name, input, execution: 1, history: [], earlier: [], inbox: [], status: 'Pending', episodeQueued: false };
      this.instances.set(id, inst);
      this.queueEpisode(inst);
    },
    raise: async (id, name, payload) => {
      const inst = this.instances.get(id);
      if (!inst) return false;
      if (inst.status === 'Pending' || inst.status === 'Running') this.deliver(inst, { event: h.eventRaised(this.now(), name, payload), execution: inst.execution });
      return true;
    },
  };

  /** Processes work until nothing is left: queued episodes and activities first, then the next timer. */
  async runUntilIdle(): Promise<void> {
    await this.runUntil(() => false);
  }

  /** Processes work until `done()` holds (checked after each item) or nothing is left; true if `done()`. */
  async runUntil(done: () => boolean | Promise<boolean>): Promise<boolean> {
    for (;;) {
      if (await done()) return true;
      const work = this.next();
      if (work?.kind === 'episode') await this.episode(work.instance);
      else if (work?.kind === 'activity') await this.activity(work);
      else if (!this.fireNextTimer()) return false;
    }
  }

  instance(id: string): { status: RuntimeStatus; output: unknown; customStatus: unknown; history: h.HistoryEvent[]; executions: h.HistoryEvent[][] } | undefined {
    const inst = this.instances.get(id);
    return inst && { status: inst.status, output: inst.output, customStatus: inst.customStatus, history: inst.history, executions: [...inst.earlier, inst.history] };
  }

  instanceIds(): string[] {
    return [...this.instances.keys()];
  }

  /** Runs one episode of an orchestration handler on a given history (also for prefix replays). */
  async replay(name: string, instanceId: string, input: unknown, history: h.HistoryEvent[]): Promise<OrchestratorState> {
    return (await this.invoke(name, instanceId, input, history)).state;
  }

  /** Calls the handler as the host does; `cpuMicros` covers parsing the trigger and the handler. */
  private async invoke(name: string, instanceId: string, input: unknown, history: h.HistoryEvent[]): Promise<{ state: OrchestratorState; cpuMicros: number }> {
    const trigger = JSON.stringify({
      history,
      input,
      instanceId,
      isReplaying: history.some((e) => e.IsPlayed),
      parentInstanceId: '',
      upperSchemaVersion: 2,
      maximumShortTimerDuration: '6.00:00:00',
      longRunningTimerIntervalDuration: '3.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    });
    const handler = this.handlers.get(name)!;
    const context = new InvocationContext({ functionName: name, invocationId: `inv-${++this.invocations}`, logHandler: () => undefined });
    const cpu = process.cpuUsage();
    let state: OrchestratorState;
    try {
      state = (await handler(JSON.parse(trigger), context)) as OrchestratorState;
    } catch (err) {
      state = failedState(err);
    }
    const used = process.cpuUsage(cpu);
    // The worker's reply travels to the host as JSON too (dates become strings).
    return { state: JSON.parse(JSON.stringify(state)) as OrchestratorState, cpuMicros: used.user + used.system };
  }

  private async episode(inst: Instance): Promise<void> {
    inst.episodeQueued = false;
    if (inst.status === 'Completed' || inst.status === 'Failed') return;
    const fresh = inst.history.length === 0;
    const taken = inst.inbox.splice(0, this.options.delivery === 'one' ? 1 : inst.inbox.length);
    const messages = taken.filter((m) => m.execution === inst.execution || m.event.EventType === h.EventType.EventRaised).map((m) => m.event);
    if (inst.inbox.length > 0) this.queueEpisode(inst);
    if (!fresh && messages.length === 0) return;

    const at = this.tick();
    const started = [h.orchestratorStarted(at), ...(fresh ? [h.executionStarted(at, inst.name, inst.input)] : []), ...messages];
    const past = inst.history.map((e) => ({ ...e, IsPlayed: true }));
    const history = [...past, ...started];
    const { state, cpuMicros } = await this.invoke(inst.name, inst.id, inst.input, history);
    this.stats.episodes++;
    this.stats.historyEventsReplayed += history.length;
    this.stats.orchestratorCpuMicros += cpuMicros;
    const mine = (this.stats.byOrchestration[inst.name] ??= { episodes: 0, historyEventsReplayed: 0, cpuMicros: 0 });
    mine.episodes++;
    mine.historyEventsReplayed += history.length;
    mine.cpuMicros += cpuMicros;
    if (this.options.checkDeterminism ?? true) {
      const again = await this.replay(inst.name, inst.id, inst.input, history);
      if (JSON.stringify(again) !== JSON.stringify(state)) throw new NonDeterminismError(`${inst.id}: replaying the same history gave different actions`);
    }
    const read = readActions(state, inst.history);
    const scheduled = read.newWork.map((w) => (w.kind === 'activity' ? h.taskScheduled(at, w.seq, w.name, w.input) : h.timerCreated(at, w.seq, w.fireAt)));
    inst.history.push(...started, ...scheduled, h.orchestratorCompleted(at));
    this.stats.longestHistory = Math.max(this.stats.longestHistory, inst.history.length);
    if (state.customStatus !== undefined && state.customStatus !== null) inst.customStatus = state.customStatus;
    inst.status = 'Running';
    for (const work of read.newWork) {
      if (work.kind === 'timer') this.timers.push({ instance: inst, execution: inst.execution, seq: work.seq, fireAt: work.fireAt });
      else this.scheduleActivity(inst, work.seq, work.name, work.input);
    }
    if (state.error !== undefined) {
      inst.history.push(h.executionFailed(at, state.error));
      inst.status = 'Failed';
      inst.output = state.error;
    } else if (read.continueAsNew) {
      this.continueAsNew(inst, read.continueAsNew.input, read.eventWaits);
    } else if (state.isDone) {
      inst.history.push(h.executionCompleted(at, state.output));
      inst.status = 'Completed';
      inst.output = state.output;
    }
  }

  private continueAsNew(inst: Instance, input: unknown, eventWaits: number): void {
    const raised = inst.history.filter((e) => e.EventType === h.EventType.EventRaised).length;
    this.stats.eventsDroppedOnContinueAsNew += raised - eventWaits;
    if (this.options.dropQueuedEventsOnContinueAsNew) {
      const before = inst.inbox.length;
      inst.inbox = inst.inbox.filter((m) => m.event.EventType !== h.EventType.EventRaised);
      this.stats.eventsDroppedOnContinueAsNew += before - inst.inbox.length;
    }
    inst.earlier.push(inst.history);
    inst.history = [];
    inst.input = input;
    inst.execution++;
    this.stats.generations++;
    this.queueEpisode(inst);
  }

  private scheduleActivity(inst: Instance, seq: number, name: string, input: unknown): void {
    if (name === SUBMIT) {
      const { runId, step, attempt } = input as AttemptRef;
      const key = `${runId}/${step}#${attempt}`;
      const count = (this.submissions.get(key) ?? 0) + 1;
      this.submissions.set(key, count);
      if (count > 1) throw new DoubleSubmissionError(`${key} was scheduled for submission ${count} times (instance ${inst.id}, task #${seq})`);
    }
    this.queue.push({ kind: 'activity', instance: inst, execution: inst.execution, seq, name, input });
  }

  private async activity(work: Extract<Work, { kind: 'activity' }>): Promise<void> {
    const handler = this.options.activities[work.name];
    if (!handler) throw new Error(`no activity named ${work.name}`);
    this.stats.activityCalls++;
    const context = new InvocationContext({ functionName: work.name, invocationId: `inv-${++this.invocations}`, logHandler: () => undefined });
    let event: h.HistoryEvent;
    try {
      const result = await handler(JSON.parse(JSON.stringify(work.input ?? null)), context);
      event = h.taskCompleted(this.now(), work.seq, result);
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      event = h.taskFailed(this.now(), work.seq, error.message, error.stack ?? '');
    }
    this.deliver(work.instance, { event, execution: work.execution });
  }

  private next(): Work | undefined {
    const at = this.options.order === 'activitiesFirst' ? this.queue.findIndex((w) => w.kind === 'activity') : 0;
    return this.queue.splice(Math.max(at, 0), 1)[0];
  }

  /** Moves the clock to the next whole second with a timer due and fires every timer due by then. */
  private fireNextTimer(): boolean {
    if (this.timers.length === 0) return false;
    const earliest = Math.min(...this.timers.map((t) => Date.parse(t.fireAt)));
    this.clock = Math.max(this.clock, Math.ceil(earliest / TIMER_RESOLUTION_MS) * TIMER_RESOLUTION_MS);
    const due = this.timers.filter((t) => Date.parse(t.fireAt) <= this.clock).sort((a, b) => a.fireAt.localeCompare(b.fireAt));
    for (const timer of due) {
      this.timers.splice(this.timers.indexOf(timer), 1);
      this.deliver(timer.instance, { event: h.timerFired(this.now(), timer.seq, timer.fireAt), execution: timer.execution });
    }
    return true;
  }

  private deliver(inst: Instance, message: Message): void {
    inst.inbox.push(message);
    this.queueEpisode(inst);
  }

  private queueEpisode(inst: Instance): void {
    if (inst.episodeQueued) return;
    inst.episodeQueued = true;
    this.queue.push({ kind: 'episode', instance: inst });
  }

  private now(): Date {
    return new Date(this.clock);
  }

  /** Each episode starts a millisecond after the last, so orchestration time only moves forward. */
  private tick(): Date {
    this.clock += 1;
    return this.now();
  }
}

/** An orchestrator that threw: durable-functions appends its state to the error message. */
function failedState(err: unknown): OrchestratorState {
  const message = err instanceof Error ? err.message : String(err);
  const marker = message.indexOf('$OutOfProcData$:');
  if (marker < 0) throw err;
  return JSON.parse(message.slice(marker + '$OutOfProcData$:'.length)) as OrchestratorState;
}
