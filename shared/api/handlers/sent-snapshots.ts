/**
 * Snapshots a publisher sends with a definition (`snapshots: { step → id }`): the publisher
 * uploaded them to the datastore's content store because this Tributary cannot read its folders.
 * They are accepted only when each manifest is in this Tributary's own store — a stored manifest
 * means a complete snapshot (the ContentStore contract), so every invocation can materialise it.
 */
import { z } from 'zod';
import { ProblemList } from '../../errors';
import type { PipelineDefinition } from '../../model/definition';
import { mapLimit } from '../../snapshot/map-limit';
import { SHA256_HEX } from '../../snapshot/manifest';
import type { PublishSnapshots } from '../services';
import { namedRecord } from '../validate';

/** The request field's shape; that each step exists is checked against the definition (`checkSentSnapshots`). */
export const sentSnapshotsSchema = namedRecord(z.string().regex(SHA256_HEX, 'a snapshot id is a sha256 hex digest (64 lowercase hex characters)'));

/** Problems with the steps named in `snapshots` (pure): each must exist and have a source folder. */
export function sentSnapshotStepProblems(definition: PipelineDefinition, snapshots: Record<string, string>): { message: string; path: string[] }[] {
  const known = Object.keys(definition.steps);
  const withSources = known.filter((name) => definition.steps[name]!.codeDir !== undefined);
  return Object.keys(snapshots).flatMap((step) => {
    const found = definition.steps[step];
    if (!found) return [{ message: `unknown step "${step}" (steps: ${known.join(', ')})`, path: ['snapshots', step] }];
    if (found.codeDir === undefined) {
      return [{ message: `step "${step}" has no source folder, so it takes no snapshot (steps with one: ${withSources.join(', ') || 'none'})`, path: ['snapshots', step] }];
    }
    return [];
  });
}

/** Throws one ValidationError naming each step whose snapshot id has no manifest in this Tributary's store. */
export async function checkSentSnapshots(snapshots: Record<string, string>, store: PublishSnapshots['store']): Promise<void> {
  const ids = [...new Set(Object.values(snapshots))];
  const stored = await mapLimit(ids, 16, async (id) => (await store.getManifest(id)) !== undefined);
  const missing = new Set(ids.filter((_, i) => !stored[i]));
  const problems = new ProblemList();
  for (const [step, id] of Object.entries(snapshots)) {
    if (missing.has(id)) {
      problems.add(
        `step "${step}": snapshot ${id} is not in this Tributary's snapshot store; upload it to the datastore this Tributary uses (the CLI and SDK do when publishing) and publish again`,
        `snapshots.${step}`,
      );
    }
  }
  problems.throwIfAny();
}

/** The definition with only the steps the publisher sent no snapshot for (what the server-side snapshotter sees). */
export function stepsWithoutSentSnapshots(definition: PipelineDefinition, snapshots: Record<string, string>): PipelineDefinition {
  return { ...definition, steps: Object.fromEntries(Object.entries(definition.steps).filter(([name]) => !Object.hasOwn(snapshots, name))) };
}
