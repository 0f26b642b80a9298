import type { Container } from '@azure/cosmos';
import { TransientError } from '../../errors';
import { CONFLICT, PRECONDITION_FAILED, statusOf } from './cosmos-errors';
import type { ExperimentDoc } from './documents';

const MAX_TRIES = 20;

/**
 * Run counts per experiment, one small document each (listing experiments must not scan runs).
 * Counts move after the run document is written, with ETag-checked read-modify-write.
 */
export class ExperimentCounts {
  constructor(private readonly container: Container) {}

  /** Adds `delta` runs to `name`; an added run may move the experiment's earliest time back. */
  async add(name: string, runCreatedAt: string, delta: number): Promise<void> {
    for (let tries = 0; tries < MAX_TRIES; tries++) {
      const { resource, etag } = await this.container.item(name, name).read<ExperimentDoc>();
      if (!resource) {
        if (delta < 0) return;
        const doc: ExperimentDoc = { id: name, name, createdAt: runCreatedAt, runCount: delta };
        if (await this.attempt(() => this.container.items.create(doc), CONFLICT)) return;
        continue;
      }
      const createdAt = delta > 0 && runCreatedAt < resource.createdAt ? runCreatedAt : resource.createdAt;
      const next: ExperimentDoc = { id: name, name, createdAt, runCount: resource.runCount + delta };
      const replace = () => this.container.item(name, name).replace(next, { accessCondition: { type: 'IfMatch', condition: etag! } });
      if (await this.attempt(replace, PRECONDITION_FAILED)) return;
    }
    throw new TransientError(`experiment ${name}: its run count kept changing under concurrent writers`);
  }

  /** False when another writer got there first (`lostStatus`): read again and retry. */
  private async attempt(write: () => Promise<unknown>, lostStatus: number): Promise<boolean> {
    try {
      await write();
      return true;
    } catch (err) {
      if (statusOf(err) === lostStatus) return false;
      throw err;
    }
  }
}
