/** Worker thread of `sha256Files` (a `WorkerPool`): hashes one batch of files per message with synchronous reads. */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { WorkerReply } from '../util/worker-pool';

export interface BatchRequest {
  files: string[];
}
export interface BatchReply {
  hashes: { sha256: string; size: number }[];
}

const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);

parentPort?.on('message', (req: BatchRequest) => {
  try {
    parentPort!.postMessage({ hashes: req.files.map(hashFile) } satisfies BatchReply);
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message } satisfies WorkerReply<BatchReply>);
  }
});

function hashFile(file: string): { sha256: string; size: number } {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  let size = 0;
  try {
    for (;;) {
      const n = readSync(fd, buffer, 0, buffer.length, size);
      if (n === 0) break;
      hash.update(buffer.subarray(0, n));
      size += n;
    }
  } finally {
    closeSync(fd);
  }
  return { sha256: hash.digest('hex'), size };
}
