import { ValidationError } from '../../errors';
import { ProcessLauncher } from './launcher';
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
 * `compute:` of a pipeline runs as processes on this machine). All of them start their processes
 * through one launcher.
 */
export class LocalComputePool {
  private readonly targets = new Map<string, LocalCompute>();
  private readonly launcher = new ProcessLauncher();
  private readonly withheld = new Set<string>();

  constructor(private readonly options: LocalComputePoolOptions = {}) {
    for (const [name, cap] of Object.entries(options.perTarget ?? {})) checkCap(cap, `perTarget.${name}`);
    if (options.defaultMaxConcurrency !== undefined) checkCap(options.defaultMaxConcurrency, 'defaultMaxConcurrency');
  }

  get(name: string): LocalCompute {
    let target = this.targets.get(name);
    if (!target) {
      const perTarget = this.options.perTarget ?? {};
      const cap = Object.hasOwn(perTarget, name) ? perTarget[name] : this.options.defaultMaxConcurrency;
      target = new LocalCompute({ name, maxConcurrency: cap, killGraceMs: this.options.killGraceMs, sharedLauncher: this.launcher, withheldVariables: this.withheld });
      this.targets.set(name, target);
    }
    return target;
  }

  /** Keeps these variables of this process from the steps every target starts from now on. */
  withhold(names: Iterable<string>): void {
    for (const name of names) this.withheld.add(name);
  }

  /** Starts the process launcher ahead of the first step (a worker does while it waits for its run). */
  startLauncher(): void {
    this.launcher.start();
  }

  /** Cancels everything running on every target; resolves when all processes exited and the launcher is gone. */
  async close(): Promise<void> {
    await Promise.all([...this.targets.values()].map((t) => t.close()));
    await this.launcher.close();
  }
}

function checkCap(cap: number, target: string): void {
  if (!Number.isSafeInteger(cap) || cap < 1) {
    throw new ValidationError(`concurrency cap must be a whole number of at least 1, got ${cap}`, target);
  }
}
