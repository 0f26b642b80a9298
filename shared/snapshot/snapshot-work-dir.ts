/**
 * Snapshots at submission, materialised per attempt: the run records one snapshot id per step
 * when it is submitted, and every attempt's working folder is filled from that snapshot, so
 * editing the source while the run is under way changes nothing it runs.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { WorkDirPreparer } from '../activities/work-dir';
import { ValidationError } from '../errors';
import type { PipelineDefinition } from '../model/definition';
import type { ContentStore } from './content-store';
import { materialiseSnapshot } from './materialise';
import { takeSnapshot, type SnapshotDeps } from './snapshot';

/**
 * Snapshots the source folder of every step that has one, each distinct folder once.
 * Returns step name → snapshot id, to be stored with the run.
 */
export async function snapshotPipelineSources(def: PipelineDefinition, deps: SnapshotDeps): Promise<Record<string, string>> {
  const idOfFolder = new Map<string, string>();
  const ids: Record<string, string> = {};
  for (const [name, step] of Object.entries(def.steps)) {
    if (!step.codeDir) continue;
    const dir = path.resolve(step.codeDir);
    let id = idOfFolder.get(dir);
    if (id === undefined) {
      try {
        id = (await takeSnapshot(dir, deps)).id;
      } catch (err) {
        if (err instanceof ValidationError) throw new ValidationError(`${step.origin}: step "${name}": ${err.message}`, step.origin, err.problems);
        throw err;
      }
      idOfFolder.set(dir, id);
    }
    ids[name] = id;
  }
  return ids;
}

/** Finds the snapshot id recorded for a step of a run at submission. */
export type SnapshotIdLookup = (ctx: { runId: string; step: string }) => Promise<string | undefined>;

export class SnapshotWorkDir implements WorkDirPreparer {
  constructor(private readonly deps: { store: ContentStore; snapshotIdOf: SnapshotIdLookup }) {}

  async prepare(codeDir: string | undefined, workDir: string, ctx: { runId: string; step: string }): Promise<void> {
    await mkdir(workDir, { recursive: true });
    if (!codeDir) return;
    const id = await this.deps.snapshotIdOf(ctx);
    if (!id) {
      throw new ValidationError(
        `step "${ctx.step}" of run ${ctx.runId} has source folder ${codeDir} but no snapshot was recorded when it was submitted; submit the run again`,
        ctx.step,
      );
    }
    await materialiseSnapshot(this.deps.store, id, workDir);
  }
}
