/**
 * Content hashes computed on worker threads, so a large output is hashed on every core: a file of
 * up to 16 MiB hashes to its plain sha256; a larger file to the sha256 of its 16 MiB chunks'
 * sha256 digests, which lets the chunks be hashed in parallel (a plain sha256 is sequential and,
 * for a 1 GiB output, slower than copying it).
 */
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { WorkerPool } from '../../util/worker-pool';
import type { HashReply, HashRequest } from './hash-worker';

export const HASH_CHUNK = 16 * 1024 * 1024;
/** Names the rule above in manifests. */
export const HASH_ALGORITHM = 'sha256, or sha256 of 16 MiB chunk sha256s above 16 MiB';

let pool: WorkerPool<HashRequest, HashReply> | undefined;

/** sha256 of `length` bytes of `file` from `start`, on a worker thread. */
async function hashRange(file: string, start: number, length: number): Promise<Buffer> {
  pool ??= new WorkerPool(path.join(__dirname, 'hash-worker.js'), Math.min(4, Math.max(2, os.availableParallelism())));
  return Buffer.from((await pool.run({ file, start, length })).digest);
}

/** The content hash (hex) of a file of `size` bytes, by the rule above. */
export async function contentHash(file: string, size: number): Promise<string> {
  if (size <= HASH_CHUNK) return (await hashRange(file, 0, size)).toString('hex');
  const chunks: Promise<Buffer>[] = [];
  for (let start = 0; start < size; start += HASH_CHUNK) chunks.push(hashRange(file, start, Math.min(HASH_CHUNK, size - start)));
  const outer = createHash('sha256');
  for (const digest of await Promise.all(chunks)) outer.update(digest);
  return outer.digest('hex');
}
