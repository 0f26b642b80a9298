import { ValidationError } from '../../errors';
import { LocalCompute } from './local-compute';

export interface LocalComputePoolOptions {
  /** Cap for targets not named in `perTarget`. Default: `os.availableParallelism()`. */
  defaultMaxConcurrency?: number;
  /** Cap per compute name, e.g. `{ 'gpu-cluster': 1 }`. */
  perTarget?: Record<string, number>;
  /** Passed to every LocalCompute (SIGTERM → SIGKILL delay). */
  killGraceMs?: number;
}

/**
 * One LocalCompute per compute name, so each name has its own concurrency cap (locally every
 * `compute:` of a pipeline runs as processes on this machine).
 */
export class LocalComputePool {
  private readonly targets = new Map<string, LocalCompute>();

  constructor(private readonly options: LocalComputePoolOptions = {}) {
    for (const [name, cap] of Object.entries(options.perTarget ?? {})) checkCap(cap, `perTarget.${name}`);
    if (options.defaultMaxConcurrency !== undefined) checkCap(options.defaultMaxConcurrency, 'defaultMaxConcurrency');
  }

  get(name: string): LocalCompute {
    let target = this.targets.get(name);
    if (!target) {
      const perTarget = this.options.perTarget ?? {};
      const cap = Object.hasOwn(perTarget, name) ? perTarget[name] : this.options.defaultMaxConcurrency;
      target = new LocalCompute({ name, maxConcurrency: cap, killGraceMs: this.options.killGraceMs });
      this.targets.set(name, target);
    }
    return target;
  }

  /** Cancels everything running on every target; resolves when all processes exited. */
  async close(): Promise<void> {
    await Promise.all([...this.targets.values()].map((t) => t.close()));
  }
}

function checkCap(cap: number, target: string): void {
  if (!Number.isSafeInteger(cap) || cap < 1) {
    throw new ValidationError(`concurrency cap must be a whole number of at least 1, got ${cap}`, target);
  }
}
