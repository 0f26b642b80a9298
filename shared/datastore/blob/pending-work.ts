/**
 * Background work (uploads) of this process, by run and by key (e.g. an output URI). Work on one
 * key runs in order; a failure is kept until the run's `settle`, so nothing fails unseen and no
 * rejection goes unhandled when the caller does not wait.
 */
interface Entry {
  runId: string;
  key: string;
  done: Promise<void>;
  error?: unknown;
}

export class PendingWork {
  private readonly entries = new Map<string, Entry>();
  private readonly failed: Entry[] = [];

  /** Starts `work` after earlier work on `key`. The promise rejects with its error; ignoring it is safe. */
  track(runId: string, key: string, work: () => Promise<unknown>): Promise<void> {
    const previous = this.entries.get(key)?.done ?? Promise.resolve();
    const entry: Entry = { runId, key, done: Promise.resolve() };
    entry.done = previous.then(work).then(
      () => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      },
      (err: unknown) => {
        entry.error = err;
        if (this.entries.get(key) === entry) this.entries.delete(key);
        this.failed.push(entry);
      },
    );
    this.entries.set(key, entry);
    const result = entry.done.then(() => {
      if (entry.error !== undefined) throw entry.error;
    });
    result.catch(() => undefined);
    return result;
  }

  /** Waits for the work on `key`, if any (never rejects). */
  async idle(key: string): Promise<void> {
    await this.entries.get(key)?.done;
  }

  /** Waits for all work of the run (or of every run), then returns and forgets its failures. */
  async settle(runId?: string): Promise<{ key: string; error: unknown }[]> {
    const mine = (e: Entry) => runId === undefined || e.runId === runId;
    for (;;) {
      const open = [...this.entries.values()].filter(mine);
      if (open.length === 0) break;
      await Promise.all(open.map((e) => e.done));
    }
    const failures = this.failed.filter(mine);
    for (const f of failures) this.failed.splice(this.failed.indexOf(f), 1);
    return failures.map((f) => ({ key: f.key, error: f.error }));
  }
}
