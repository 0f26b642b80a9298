import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { contentHash, HASH_CHUNK } from '../../shared/datastore/blob/hash-pool';
import { sha256Files } from '../../shared/reuse/hash-files';

const root = mkdtempSync(path.join(os.tmpdir(), 'tributary-pool-'));
after(() => rmSync(root, { recursive: true, force: true }));
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');

describe('hashing on worker threads (WorkerPool)', () => {
  test('sha256Files answers for each file, in the order given, across batches and workers', async () => {
    const files = Array.from({ length: 300 }, (_, i) => {
      const file = path.join(root, `f${i}`);
      writeFileSync(file, `content ${i}`.repeat(i));
      return file;
    });
    const hashes = await sha256Files(files);
    assert.deepEqual(hashes, files.map((_, i) => ({ sha256: sha256(`content ${i}`.repeat(i)), size: `content ${i}`.repeat(i).length })));
  });

  test('a file that cannot be read rejects, naming it; the pool keeps working', async () => {
    const missing = path.join(root, 'missing');
    await assert.rejects(sha256Files([missing]), (err: Error) => err.message.includes(missing));
    const file = path.join(root, 'after');
    writeFileSync(file, 'still fine');
    assert.deepEqual(await sha256Files([file]), [{ sha256: sha256('still fine'), size: 10 }]);
  });

  test('contentHash: a file above 16 MiB hashes to the sha256 of its chunks\' sha256 digests', async () => {
    const big = Buffer.alloc(HASH_CHUNK + 1000, 7);
    const file = path.join(root, 'big');
    writeFileSync(file, big);
    const outer = createHash('sha256')
      .update(createHash('sha256').update(big.subarray(0, HASH_CHUNK)).digest())
      .update(createHash('sha256').update(big.subarray(HASH_CHUNK)).digest());
    assert.equal(await contentHash(file, big.length), outer.digest('hex'));
    assert.equal(await contentHash(file, 1000), sha256(big.subarray(0, 1000)), 'up to 16 MiB: the plain sha256 of the bytes asked for');
  });

  test('an idle pool does not keep Node running', () => {
    const file = path.join(root, 'idle');
    writeFileSync(file, 'x');
    const script = `require(${JSON.stringify(require.resolve('../../shared/reuse/hash-files'))}).sha256Files([${JSON.stringify(file)}]).then((h) => console.log(h[0].size))`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 10_000 });
    assert.deepEqual([result.status, result.stdout], [0, '1\n']);
  });
});
