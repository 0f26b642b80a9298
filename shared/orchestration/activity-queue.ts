/**
 * How the local driver paces the activities of many steps (its counterpart of the Functions
 * host's `maxConcurrentActivityFunctions`): at most `limit` run at once, and a waiting activity
 * that takes a step nearer its end goes before one that starts another step. When a thousand
 * steps become ready together, the first of them is then submitted within moments instead of
 * after all thousand have been prepared.
 */
export class ActivityQueue {
  private running = 0;
  /** Waiting starts, one FIFO list per priority (index = priority). */
  private readonly waiting: (() => void)[][] = [];
  private pumpScheduled = false;

  constructor(private readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError(`activity limit must be a whole number ≥ 1, got ${limit}`);
  }

  /** Runs `fn` once a place is free; higher `priority` first, then in order of arrival. */
  async run<T>(priority: number, fn: () => Promise<T>): Promise<T> {
    // A waiting start is counted as running by the pump that wakes it.
    if (this.running >= this.limit) await new Promise<void>((resolve) => (this.waiting[priority] ??= []).push(resolve));
    else this.running++;
    try {
      return await fn();
    } finally {
      this.running--;
      this.schedulePump();
    }
  }

  /**
   * Hands free places to waiting starts a little later (after pending I/O callbacks): the step
   * whose activity just ended asks for its next one first and takes the place itself.
   */
  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      for (let p = this.waiting.length - 1; p >= 0 && this.running < this.limit; p--) {
        const queue = this.waiting[p];
        while (queue?.length && this.running < this.limit) {
          this.running++;
          queue.shift()!();
        }
      }
    });
  }
}
