/**
 * An attempt's logs and metrics kept on the datastore at `azureml/<run>/<step>/logs/attempt-N/`,
 * so a run can be inspected (`tributary download`) from any machine pointed at the same storage.
 * Empty files are not uploaded: readers take a missing log as an empty one (`BlobStepLogs` reads
 * a 404 as no output), and most steps of a large fan-out print nothing, so this saves most of
 * the requests.
 */
import { statSync } from 'node:fs';
import type { AttemptPaths } from '../../workspace/workspace';
import type { StepDataContext } from '../data-plane';
import { BLOCK_SIZE } from './commit-upload';
import type { Datastore } from './datastore';
import { attemptLogsPath } from './output-paths';
import { storageError } from './storage-errors';

/** A local file of an attempt and its name in the attempt's logs folder on the datastore. */
export interface Artifact {
  file: string;
  name: 'stdout.log' | 'stderr.log' | 'metrics.jsonl';
}

/**
 * Which of stdout, stderr and the metrics file have something in them. Checked synchronously: a
 * few stat calls cost less than scheduling them, once per step.
 */
export function artifactsToKeep(paths: Pick<AttemptPaths, 'stdout' | 'stderr' | 'metrics'>): Artifact[] {
  const all: Artifact[] = [
    { file: paths.stdout, name: 'stdout.log' },
    { file: paths.stderr, name: 'stderr.log' },
    { file: paths.metrics, name: 'metrics.jsonl' },
  ];
  return all.filter(({ file }) => (statSync(file, { throwIfNoEntry: false })?.size ?? 0) > 0);
}

/** Uploads the files (from `artifactsToKeep`) into the attempt's logs folder; returns the blob paths written. */
export async function uploadAttemptArtifacts(ds: Datastore, ctx: StepDataContext, artifacts: readonly Artifact[]): Promise<string[]> {
  const folder = attemptLogsPath(ctx.runId, ctx.step, ctx.attempt);
  const written: string[] = [];
  for (const { file, name } of artifacts) {
    const blob = `${folder}/${name}`;
    try {
      await ds.container.getBlockBlobClient(blob).uploadFile(file, { blockSize: BLOCK_SIZE, concurrency: 4 });
    } catch (err) {
      throw storageError(err, `uploading ${file} to ${blob}`);
    }
    written.push(blob);
  }
  return written;
}
