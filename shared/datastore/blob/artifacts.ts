/**
 * An attempt's logs and metrics kept on the datastore at `azureml/<run>/<step>/logs/attempt-N/`,
 * so a run can be inspected (`tributary download`) from any machine pointed at the same storage.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { AttemptPaths } from '../../workspace/workspace';
import type { StepDataContext } from '../data-plane';
import { BLOCK_SIZE } from './commit-upload';
import type { Datastore } from './datastore';
import { attemptLogsPath } from './output-paths';
import { storageError } from './storage-errors';

/** Uploads whichever of stdout, stderr and the metrics file exist; returns the blob paths written. */
export async function uploadAttemptArtifacts(ds: Datastore, ctx: StepDataContext, paths: Pick<AttemptPaths, 'stdout' | 'stderr' | 'metrics'>): Promise<string[]> {
  const folder = attemptLogsPath(ctx.runId, ctx.step, ctx.attempt);
  const written: string[] = [];
  for (const file of [paths.stdout, paths.stderr, paths.metrics]) {
    if (!(await stat(file).then((s) => s.isFile(), () => false))) continue;
    const blob = `${folder}/${path.basename(file)}`;
    try {
      await ds.container.getBlockBlobClient(blob).uploadFile(file, { blockSize: BLOCK_SIZE, concurrency: 4 });
    } catch (err) {
      throw storageError(err, `uploading ${file} to ${blob}`);
    }
    written.push(blob);
  }
  return written;
}
