import type { ComputeResolver } from '../../shared/activities/deps';
import type { ComputeTarget } from '../../shared/compute/compute-target';
import { ValidationError } from '../../shared/errors';

/** The compute targets this deployment was configured with, by name. */
export class ComputeRegistry implements ComputeResolver {
  constructor(private readonly targets: ReadonlyMap<string, ComputeTarget>) {}

  known(): string[] {
    return [...this.targets.keys()].sort();
  }

  resolve(name: string): ComputeTarget {
    const target = this.targets.get(name);
    if (target) return target;
    const known = this.known();
    throw new ValidationError(
      `compute "${name}" is not configured in this Function App (known: ${known.length > 0 ? known.join(', ') : 'none'})`,
      'compute',
    );
  }
}
