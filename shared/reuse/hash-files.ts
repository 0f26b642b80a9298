/**
 * sha256 of many files on worker threads (one per core, up to 4), handed out in batches so a
 * tree of small files costs a message per batch, not per file. Workers are kept for the process,
 * unreferenced while idle.
 */
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { BatchReply, BatchRequest } from './hash-files-worker';

/** Files per message: small enough to balance the workers, large enough that messages cost nothing. */
const BATCH = 32;

export interface FileHash {
  sha256: string;
  /** Bytes read (the file's size at the time). */
  size: number;
}

interface Job {
  req: BatchRequest;
  resolve: (hashes: FileHash[]) => void;
  reject: (err: Error) => void;
}

class HashWorkers {
  private readonly idle: Worker[] = [];
  private readonly queue: Job[] = [];
  private readonly busy = new Map<Worker, Job>();
  private nextId = 0;

  constructor(private readonly size: number) {}

  hash(files: string[]): Promise<FileHash[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, files }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.busy.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const job = this.queue.shift()!;
      this.busy.set(worker, job);
      worker.ref();
      worker.postMessage(job.req);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(path.join(__dirname, 'hash-files-worker.js'));
    worker.on('message', (reply: BatchReply) => {
      const job = this.busy.get(worker)!;
      this.busy.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if ('error' in reply) job.reject(new Error(reply.error));
      else job.resolve(reply.hashes);
      this.pump();
    });
    worker.on('error', (err) => {
      this.busy.get(worker)?.reject(err);
      this.busy.delete(worker);
      this.pump();
    });
    return worker;
  }
}

let workers: HashWorkers | undefined;

/** sha256 and size of each file, in the order given. */
export async function sha256Files(files: readonly string[]): Promise<FileHash[]> {
  workers ??= new HashWorkers(Math.min(4, Math.max(1, os.availableParallelism())));
  const batches: Promise<FileHash[]>[] = [];
  for (let i = 0; i < files.length; i += BATCH) batches.push(workers.hash(files.slice(i, i + BATCH)));
  return (await Promise.all(batches)).flat();
}
