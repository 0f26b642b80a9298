/**
 * Content hashes computed on worker threads, so a large output is hashed on every core: a file of
 * up to 16 MiB hashes to its plain sha256; a larger file to the sha256 of its 16 MiB chunks'
 * sha256 digests, which lets the chunks be hashed in parallel (a plain sha256 is sequential and,
 * for a 1 GiB output, slower than copying it).
 */
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { HashReply, HashRequest } from './hash-worker';

export const HASH_CHUNK = 16 * 1024 * 1024;
/** Names the rule above in manifests. */
export const HASH_ALGORITHM = 'sha256, or sha256 of 16 MiB chunk sha256s above 16 MiB';

interface Pending {
  req: HashRequest;
  resolve: (digest: Buffer) => void;
  reject: (err: Error) => void;
}

class HashPool {
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly inFlight = new Map<Worker, Pending>();
  private nextId = 0;

  constructor(private readonly size: number) {}

  hashRange(file: string, start: number, length: number): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      this.queue.push({ req: { id: this.nextId++, file, start, length }, resolve, reject });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      const worker = this.idle.pop() ?? (this.inFlight.size < this.size ? this.spawn() : undefined);
      if (!worker) return;
      const job = this.queue.shift()!;
      this.inFlight.set(worker, job);
      worker.ref(); // a pending hash keeps the process alive; an idle pool does not
      worker.postMessage(job.req);
    }
  }

  private spawn(): Worker {
    const worker = new Worker(path.join(__dirname, 'hash-worker.js'));
    worker.on('message', (reply: HashReply) => {
      const job = this.inFlight.get(worker)!;
      this.inFlight.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if ('error' in reply) job.reject(new Error(reply.error));
      else job.resolve(Buffer.from(reply.digest));
      this.pump();
    });
    worker.on('error', (err) => {
      this.inFlight.get(worker)?.reject(err);
      this.inFlight.delete(worker);
      this.pump();
    });
    return worker;
  }
}

let pool: HashPool | undefined;
function sharedPool(): HashPool {
  pool ??= new HashPool(Math.min(4, Math.max(2, os.availableParallelism())));
  return pool;
}

/** The content hash (hex) of a file of `size` bytes, by the rule above. */
export async function contentHash(file: string, size: number): Promise<string> {
  if (size <= HASH_CHUNK) return (await sharedPool().hashRange(file, 0, size)).toString('hex');
  const chunks: Promise<Buffer>[] = [];
  for (let start = 0; start < size; start += HASH_CHUNK) chunks.push(sharedPool().hashRange(file, start, Math.min(HASH_CHUNK, size - start)));
  const outer = createHash('sha256');
  for (const digest of await Promise.all(chunks)) outer.update(digest);
  return outer.digest('hex');
}
