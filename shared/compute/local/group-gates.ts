/**
 * At most `limit` places taken at once per group; who asks beyond that waits, in order. The
 * `python3` launcher keeps the same rule itself (`python/tributary_launcher.py`); this is the one
 * for processes Node starts.
 */
export class GroupGates {
  private readonly groups = new Map<string, { taken: number; waiting: { enter: () => void; limit: number }[] }>();

  /** Resolves once a place of `group` is taken for the caller; rejects with `onAbort()` if `signal` aborts first. */
  enter(group: string, limit: number, signal: AbortSignal | undefined, onAbort: () => Error): Promise<void> {
    const state = this.groups.get(group) ?? { taken: 0, waiting: [] };
    this.groups.set(group, state);
    if (state.waiting.length === 0 && state.taken < limit) {
      state.taken++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const waiter = { limit, enter: () => resolve() };
      state.waiting.push(waiter);
      signal?.addEventListener('abort', () => {
        const at = state.waiting.indexOf(waiter);
        if (at < 0) return; // already in
        state.waiting.splice(at, 1);
        reject(onAbort());
      }, { once: true });
    });
  }

  /** Gives a place back; the first waiter of the group, if any, takes it. */
  leave(group: string): void {
    const state = this.groups.get(group);
    if (!state) return;
    state.taken--;
    while (state.waiting.length > 0 && state.taken < state.waiting[0]!.limit) {
      state.taken++;
      state.waiting.shift()!.enter();
    }
    if (state.taken === 0 && state.waiting.length === 0) this.groups.delete(group);
  }
}
