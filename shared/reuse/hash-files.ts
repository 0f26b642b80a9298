/**
 * sha256 of many files on worker threads (one per core, up to 4), handed out in batches so a
 * tree of small files costs a message per batch, not per file. Workers are kept for the process,
 * unreferenced while idle.
 */
import os from 'node:os';
import path from 'node:path';
import { WorkerPool } from '../util/worker-pool';
import type { BatchReply, BatchRequest } from './hash-files-worker';

/** Files per message: small enough to balance the workers, large enough that messages cost nothing. */
const BATCH = 32;

export interface FileHash {
  sha256: string;
  /** Bytes read (the file's size at the time). */
  size: number;
}

let workers: WorkerPool<BatchRequest, BatchReply> | undefined;

/** sha256 and size of each file, in the order given. */
export async function sha256Files(files: readonly string[]): Promise<FileHash[]> {
  workers ??= new WorkerPool(path.join(__dirname, 'hash-files-worker.js'), Math.min(4, Math.max(1, os.availableParallelism())));
  const batches: Promise<BatchReply>[] = [];
  for (let i = 0; i < files.length; i += BATCH) batches.push(workers.run({ files: files.slice(i, i + BATCH) }));
  return (await Promise.all(batches)).flatMap((reply) => reply.hashes);
}
