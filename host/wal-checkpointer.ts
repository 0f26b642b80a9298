/**
 * Keeps the workspace databases' write-ahead logs short from a worker thread. SQLite runs a
 * checkpoint (copy the WAL into the database, fsync) inside whichever commit makes the WAL reach
 * 1000 pages; on the host that commit is an invocation's, and the checkpoint stalls the event
 * loop for milliseconds every few dozen runs under load. Checkpointing every few milliseconds
 * from another thread (PASSIVE: it never waits for, nor blocks, readers and writers) lets the
 * next writer restart the WAL, so the host's own commits stay small.
 */
import path from 'node:path';
import { Worker } from 'node:worker_threads';

export const CHECKPOINT_EVERY_MS = 20;

export class WalCheckpointer {
  private readonly worker: Worker;

  constructor(files: string[], everyMs = CHECKPOINT_EVERY_MS) {
    this.worker = new Worker(path.join(__dirname, 'wal-checkpoint-thread.js'), { workerData: { files, everyMs } });
    this.worker.unref();
  }

  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}
