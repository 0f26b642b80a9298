/** Worker thread of `sha256Files`: hashes one batch of files per message with synchronous reads. */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';

export interface BatchRequest {
  id: number;
  files: string[];
}
export type BatchReply = { id: number; hashes: { sha256: string; size: number }[] } | { id: number; error: string };

const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);

parentPort?.on('message', (req: BatchRequest) => {
  try {
    parentPort!.postMessage({ id: req.id, hashes: req.files.map(hashFile) } satisfies BatchReply);
  } catch (err) {
    parentPort!.postMessage({ id: req.id, error: (err as Error).message } satisfies BatchReply);
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
