import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobStepLogs } from '../../shared/api/logs/blob-step-logs';
import { BlobDataPlane } from '../../shared/datastore/blob/blob-data-plane';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { attemptPaths } from '../../shared/workspace/workspace';
import { startTestAzurite, type TestAzurite } from '../support/azurite';

const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

describe('BlobStepLogs: step logs an attempt uploaded to the datastore (Azurite)', () => {
  let azurite: TestAzurite;
  let logs: BlobStepLogs;

  before(async () => {
    azurite = await startTestAzurite();
    logs = new BlobStepLogs((await Datastore.get(azurite.workspace)).container);
    // Two attempts of step "train", uploaded by the data plane as a Function App does (no background uploads).
    const plane = new BlobDataPlane(azurite.workspace, { background: false });
    for (const [attempt, out, err] of [[1, 'epoch 1\nfailed\n', 'CUDA out of memory\n'], [2, 'ünïcode ✓\nepoch 2 ✓\n', '']] as const) {
      const paths = attemptPaths(azurite.workspace, 'run_1', 'train', attempt);
      await mkdir(path.dirname(paths.stdout), { recursive: true });
      await writeFile(paths.stdout, out);
      await writeFile(paths.stderr, err);
      await plane.persistAttemptArtifacts({ runId: 'run_1', step: 'train', attempt, scratchDir: paths.dataDir }, paths);
    }
  });
  after(() => azurite.stop());

  it('reads each attempt\'s stdout and stderr', async () => {
    assert.equal(text(await logs.read('run_1', 'train', 1, 'stdout', 0, 1024)), 'epoch 1\nfailed\n');
    assert.equal(text(await logs.read('run_1', 'train', 1, 'stderr', 0, 1024)), 'CUDA out of memory\n');
    assert.equal(text(await logs.read('run_1', 'train', 2, 'stdout', 0, 1024)), 'ünïcode ✓\nepoch 2 ✓\n');
  });

  it('reads from an offset, at most maxBytes, and nothing at or past the end', async () => {
    assert.equal(text(await logs.read('run_1', 'train', 1, 'stdout', 6, 3)), '1\nf');
    const size = Buffer.byteLength('epoch 1\nfailed\n');
    assert.equal((await logs.read('run_1', 'train', 1, 'stdout', size, 1024)).byteLength, 0);
    assert.equal((await logs.read('run_1', 'train', 1, 'stdout', size + 100, 1024)).byteLength, 0);
  });

  it('reads nothing for an empty log, an attempt not uploaded (yet) and an unknown run', async () => {
    assert.equal((await logs.read('run_1', 'train', 2, 'stderr', 0, 1024)).byteLength, 0);
    assert.equal((await logs.read('run_1', 'train', 3, 'stdout', 0, 1024)).byteLength, 0);
    assert.equal((await logs.read('other', 'train', 1, 'stdout', 0, 1024)).byteLength, 0);
  });
});
