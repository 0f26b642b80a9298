/** Worker thread of `contentHash` (a `WorkerPool`): sha256 of one byte range of a file per message. */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import type { WorkerReply } from '../../util/worker-pool';

export interface HashRequest {
  file: string;
  start: number;
  length: number;
}
export interface HashReply {
  digest: Uint8Array;
}

const buffer = Buffer.allocUnsafe(1024 * 1024);

parentPort?.on('message', (req: HashRequest) => {
  try {
    parentPort!.postMessage({ digest: hashRange(req) } satisfies HashReply);
  } catch (err) {
    parentPort!.postMessage({ error: (err as Error).message } satisfies WorkerReply<HashReply>);
  }
});

function hashRange({ file, start, length }: HashRequest): Uint8Array {
  const hash = createHash('sha256');
  const fd = openSync(file, 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = readSync(fd, buffer, 0, Math.min(buffer.length, length - done), start + done);
      if (n === 0) throw new Error(`${file} is shorter than expected (changed while being hashed)`);
      hash.update(buffer.subarray(0, n));
      done += n;
    }
  } finally {
    closeSync(fd);
  }
  return hash.digest();
}
