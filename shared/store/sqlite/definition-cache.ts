import type { PipelineDefinition } from '../../model/definition';

/** Parsed definitions kept per connection; a few are plenty (a worker drives one run at a time). */
const CAPACITY = 8;

/**
 * Parsed run definitions by run id and `definition_rev`. Reading a run then costs the small
 * columns only: the definition column (hundreds of KB for a 1,000-step pipeline, re-parsed on
 * every read otherwise) is read again only when its revision moved. Callers share the cached
 * object and must treat a record's definition as read-only, as they already do.
 */
export class DefinitionCache {
  private readonly entries = new Map<string, { rev: number; definition: PipelineDefinition }>();

  get(runId: string, rev: number): PipelineDefinition | undefined {
    const entry = this.entries.get(runId);
    return entry?.rev === rev ? entry.definition : undefined;
  }

  set(runId: string, rev: number, definition: PipelineDefinition): void {
    this.entries.delete(runId);
    this.entries.set(runId, { rev, definition });
    if (this.entries.size > CAPACITY) this.entries.delete(this.entries.keys().next().value!);
  }
}
