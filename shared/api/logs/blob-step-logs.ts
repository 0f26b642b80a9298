/**
 * Step logs in Azure: the attempt's stdout/stderr as the blob data plane keeps them on the
 * datastore, `azureml/<run>/<step>/logs/attempt-N/stdout.log` (see `uploadAttemptArtifacts`).
 * They are uploaded when the attempt is finalized, so a followed log of a running attempt shows
 * its output once the attempt ends.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { attemptLogsPath } from '../../datastore/blob/output-paths';
import { storageError, storageStatus } from '../../datastore/blob/storage-errors';
import type { LogStream, StepLogSource } from './step-log-source';

/** Names of an attempt's logs in its logs folder on the datastore (see `artifactsToKeep`). */
const LOG_FILES: Record<LogStream, string> = { stdout: 'stdout.log', stderr: 'stderr.log' };
/** Not there (yet), or nothing at or past the offset. */
const NOTHING = new Set([404, 416]);

export class BlobStepLogs implements StepLogSource {
  constructor(private readonly container: ContainerClient) {}

  async read(runId: string, step: string, attempt: number, stream: LogStream, offset: number, maxBytes: number): Promise<Uint8Array> {
    const blob = `${attemptLogsPath(runId, step, attempt)}/${LOG_FILES[stream]}`;
    try {
      const body = (await this.container.getBlobClient(blob).download(offset, maxBytes)).readableStreamBody;
      const chunks: Buffer[] = [];
      if (body) for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
      return Buffer.concat(chunks);
    } catch (err) {
      if (NOTHING.has(storageStatus(err) ?? 0)) return new Uint8Array(0);
      throw storageError(err, `reading ${blob}`);
    }
  }
}
