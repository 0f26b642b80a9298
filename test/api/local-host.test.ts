import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startLocalHost } from '../../host/local-host';
import { openStore } from '../../shared/local/open-store';
import { submitRun } from '../../shared/runs/submit-run';
import { stopAzurite } from '../../shared/datastore/azurite/azurite';
import { ConflictError } from '../../shared/errors';
import { isTerminal } from '../../shared/store/records';
import { resolveWorkspace } from '../../shared/workspace/workspace';
import { CapturedLog, echoPipeline } from './helpers';

describe('local host', () => {
  it('re-queues endpoint runs an earlier host left behind (never started, or driven by a worker that died)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-recover-'));
    try {
      const workspace = resolveWorkspace(join(dir, '.tributary'));
      const store = openStore(workspace);
      const request = { definition: echoPipeline('left'), options: { source: 'endpoint' }, knownComputes: ['local'] };
      const neverStarted = await submitRun(store, request);
      const orphaned = await submitRun(store, request);
      await store.updateRun(orphaned.id, orphaned.version, { status: 'Running', driver: { kind: 'local', pid: 2 ** 22 + 7, host: hostname(), heartbeatAt: new Date().toISOString() } });
      const fromCli = await submitRun(store, { ...request, options: { source: 'cli' } });
      const host = await startLocalHost({ workspace, port: 0, auth: { mode: 'apiKey' }, log: new CapturedLog() });
      try {
        for (const id of [neverStarted.id, orphaned.id]) {
          for (let i = 0; ; i++) {
            const run = await store.getRun(id);
            if (run && isTerminal(run.status)) {
              assert.equal(run.status, 'Completed', id);
              break;
            }
            assert.ok(i < 300, `run ${id} finished`);
            await sleep(100);
          }
        }
        assert.equal((await store.getRun(fromCli.id))?.status, 'NotStarted', 'runs of the CLI are the CLI\'s business');
      } finally {
        await host.close();
        await store.close();
      }
    } finally {
      await stopAzurite(resolveWorkspace(join(dir, '.tributary')));
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('serves a workspace only once at a time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tributary-lock-'));
    try {
      const workspace = resolveWorkspace(join(dir, '.tributary'));
      const first = await startLocalHost({ workspace, port: 0, auth: { mode: 'apiKey' }, log: new CapturedLog() });
      try {
        await assert.rejects(startLocalHost({ workspace, port: 0, auth: { mode: 'apiKey' }, log: new CapturedLog() }), (err: unknown) =>
          err instanceof ConflictError && err.message.includes(first.url),
        );
      } finally {
        await first.close();
      }
      const again = await startLocalHost({ workspace, port: 0, auth: { mode: 'apiKey' }, log: new CapturedLog() });
      await again.close();
    } finally {
      await stopAzurite(resolveWorkspace(join(dir, '.tributary')));
      await rm(dir, { recursive: true, force: true });
    }
  });
});
