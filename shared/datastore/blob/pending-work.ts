/**
 * Background work (uploads) of this process, by run and by key (e.g. an output URI). Work on one
 * key runs in order, whichever run queued it; a failure is kept until the run's `settle`, so
 * nothing fails unseen and no rejection goes unhandled when the caller does not wait.
 * At most `limit` pieces of work run at once, the others wait their turn in queue order: a
 * thousand steps finishing faster than the storage answers would otherwise open as many
 * connections at once, and a local Azurite serves a few of them as fast as it serves hundreds.
 */
interface Entry {
  runId: string;
  key: string;
  done: Promise<void>;
  error?: unknown;
}

export class PendingWork {
  private readonly open = new Set<Entry>();
  private readonly failed: Entry[] = [];
  /** Last work queued per key: the next work on that key starts after it. */
  private readonly tails = new Map<string, Promise<void>>();
  private running = 0;
  /** Work waiting for a free slot, first come first served. */
  private readonly queued: (() => void)[] = [];

  constructor(private readonly limit = Number.POSITIVE_INFINITY) {}

  /** Starts `work` after earlier work on `key`, when a slot is free. The promise rejects with its error; ignoring it is safe. */
  track(runId: string, key: string, work: () => Promise<unknown>): Promise<void> {
    const entry: Entry = { runId, key, done: Promise.resolve() };
    entry.done = (this.tails.get(key) ?? Promise.resolve())
      .then(() => this.inSlot(work))
      .then(
        () => undefined,
        (err: unknown) => {
          entry.error = err;
          this.failed.push(entry);
        },
      )
      .finally(() => {
        this.open.delete(entry);
        if (this.tails.get(key) === entry.done) this.tails.delete(key);
      });
    this.open.add(entry);
    this.tails.set(key, entry.done);
    const result = entry.done.then(() => {
      if (entry.error !== undefined) throw entry.error;
    });
    result.catch(() => undefined);
    return result;
  }

  /** Waits for the work queued on `key`, if any (never rejects). */
  async idle(key: string): Promise<void> {
    await this.tails.get(key);
  }

  /** Waits for all work of the run (or of every run), then returns and forgets its failures. */
  async settle(runId?: string): Promise<{ key: string; error: unknown }[]> {
    const mine = (e: Entry) => runId === undefined || e.runId === runId;
    for (;;) {
      const waiting = [...this.open].filter(mine);
      if (waiting.length === 0) break;
      await Promise.all(waiting.map((e) => e.done));
    }
    const failures = this.failed.filter(mine);
    for (const f of failures) this.failed.splice(this.failed.indexOf(f), 1);
    return failures.map((f) => ({ key: f.key, error: f.error }));
  }

  private async inSlot(work: () => Promise<unknown>): Promise<unknown> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.queued.push(resolve)); // the slot is handed over, not freed
    try {
      return await work();
    } finally {
      const next = this.queued.shift();
      if (next) next();
      else this.running--;
    }
  }
}
