/**
 * The local driver: runs the same orchestration generators the Durable adapter registers, with
 * activities called in-process. Step orchestrations run concurrently as async loops; RunEvents go
 * through an in-memory queue per run. Durable state lives in the run store (not here), so a
 * crashed driver resumes a run by starting the run orchestration again: `startRun` reports the
 * steps that already finished and they are not run again. Continue-as-new restarts a generator
 * in place with its new input; no event is ever lost here, so there are no missed events.
 * Step activities are paced by an `ActivityQueue`; a poll (it waits on the compute) and the run's
 * own activities are not.
 */
import { ActivityQueue } from './activity-queue';
import type { Activities, ActivityName } from './activity-types';
import type { RunEvent, RunOrchestrationInput, RunSummary, StepOrchestrationInput } from './messages';
import type { Op, OpGenerator } from './ops';
import { runOrchestration } from './run-orchestration';
import { stepOrchestration } from './step-orchestration';

class EventQueue {
  private readonly items: RunEvent[] = [];
  private waiter?: (event: RunEvent) => void;

  push(event: RunEvent): void {
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter(event);
    } else {
      this.items.push(event);
    }
  }

  next(): Promise<RunEvent> {
    const item = this.items.shift();
    if (item) return Promise.resolve(item);
    return new Promise((resolve) => (this.waiter = resolve));
  }
}

/** Queue priority of the paced activities: the later in a step's life, the sooner. */
const PACED: Partial<Record<ActivityName, number>> = { prepareStep: 0, submitStep: 1, finalizeStep: 2 };

/** Step activities running at once, by default: what `host.json` allows the Functions host. */
export const DEFAULT_ACTIVITY_LIMIT = 16;

export class LocalDriver {
  private readonly queues = new Map<string, EventQueue>();
  private readonly stepLoops = new Set<Promise<unknown>>();
  private readonly paced: ActivityQueue;

  constructor(
    private readonly activities: Activities,
    options: { activityLimit?: number } = {},
  ) {
    this.paced = new ActivityQueue(options.activityLimit ?? DEFAULT_ACTIVITY_LIMIT);
  }

  /** Runs (or resumes) a run to its end. */
  async run(input: RunOrchestrationInput): Promise<RunSummary> {
    const queue = new EventQueue();
    this.queues.set(input.runId, queue);
    try {
      const summary = await this.interpret(runOrchestration, input, queue);
      await Promise.allSettled([...this.stepLoops]);
      return summary;
    } finally {
      this.queues.delete(input.runId);
    }
  }

  /** Delivers an event (e.g. a cancel request noticed in the store) to a run this driver walks. */
  signal(runId: string, event: RunEvent): void {
    this.queues.get(runId)?.push(event);
  }

  private async interpret<I, T>(orchestration: (input: I) => OpGenerator<T>, input: I, queue?: EventQueue): Promise<T> {
    let gen = orchestration(input);
    let next = gen.next();
    while (!next.done) {
      const op = next.value;
      if (op.kind === 'continueAsNew') {
        gen = orchestration(op.input as I);
        next = gen.next();
        continue;
      }
      let result: unknown;
      try {
        result = await this.execute(op, queue);
      } catch (err) {
        next = gen.throw(err);
        continue;
      }
      next = gen.next(result);
    }
    return next.value;
  }

  private async execute(op: Op, queue: EventQueue | undefined): Promise<unknown> {
    switch (op.kind) {
      case 'activity': {
        const fn = this.activities[op.name] as (input: unknown) => Promise<unknown>;
        const priority = PACED[op.name];
        if (priority === undefined) return fn.call(this.activities, op.input);
        return this.paced.run(priority, () => fn.call(this.activities, op.input));
      }
      case 'all':
        return Promise.all(op.ops.map((child) => this.execute(child, queue)));
      case 'timer':
        return new Promise((resolve) => setTimeout(resolve, op.delayMs));
      case 'startSteps':
        for (const input of op.inputs) this.startStep(input);
        return undefined;
      case 'signalRun':
        this.signal(op.runId, op.event);
        return undefined;
      case 'nextRunEvent':
        if (!queue) throw new Error('nextRunEvent is only available to the run orchestration');
        return queue.next();
      case 'missedRunEvents':
        return [];
      case 'continueAsNew':
        throw new Error('continueAsNew cannot be nested in another op');
      case 'now':
        return new Date().toISOString();
    }
  }

  private startStep(input: StepOrchestrationInput): void {
    const loop = this.interpret(stepOrchestration, input).catch((err: unknown) => {
      // The step orchestration reports its own failures; this only catches a failing signal.
      this.signal(input.runId, {
        type: 'stepFinished',
        outcome: { step: input.step, status: 'Failed', reused: false, message: err instanceof Error ? err.message : String(err) },
        index: input.index,
      });
    });
    this.stepLoops.add(loop);
    void loop.finally(() => this.stepLoops.delete(loop));
  }
}
