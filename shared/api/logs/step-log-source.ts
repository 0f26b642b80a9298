/**
 * Where a step attempt's stdout/stderr can be read from, as bytes from an offset: local files
 * under the workspace here; blobs in Azure (an implementation of this port lives with the Azure
 * adapters).
 */
import { open } from 'node:fs/promises';
import { attemptLogFiles, type Workspace } from '../../workspace/workspace';

export type LogStream = 'stdout' | 'stderr';

export interface StepLogSource {
  /** Up to `maxBytes` from `offset`; empty when there is nothing (yet) at that offset. */
  read(runId: string, step: string, attempt: number, stream: LogStream, offset: number, maxBytes: number): Promise<Uint8Array>;
}

export class LocalStepLogs implements StepLogSource {
  constructor(private readonly workspace: Workspace) {}

  async read(runId: string, step: string, attempt: number, stream: LogStream, offset: number, maxBytes: number): Promise<Uint8Array> {
    const paths = attemptLogFiles(this.workspace, runId, step, attempt);
    let handle;
    try {
      handle = await open(stream === 'stdout' ? paths.stdout : paths.stderr, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Uint8Array(0);
      throw err;
    }
    try {
      const buffer = Buffer.alloc(maxBytes);
      const { bytesRead } = await handle.read(buffer, 0, maxBytes, offset);
      return buffer.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  }
}
