import type { ComputeTarget } from '../compute/compute-target';
import { LocalComputePool } from '../compute/local/local-compute-pool';
import { ValidationError } from '../errors';
import type { ComputeResolver } from '../activities/deps';

/** The local deployment's compute targets: `local` (processes on this machine). */
export class LocalComputeResolver implements ComputeResolver {
  constructor(private readonly pool: LocalComputePool) {}

  known(): string[] {
    return ['local'];
  }

  resolve(name: string): ComputeTarget {
    if (name === 'local') return this.pool.get(name);
    throw new ValidationError(
      `unknown compute "${name}" (known: ${this.known().join(', ')}); run it locally with --compute ${name}=local`,
      'compute',
    );
  }
}
