import { BlobServiceClient, StorageSharedKeyCredential } from '@azure/storage-blob';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { ConflictError, ValidationError } from '../../shared/errors';
import { azuriteStatus, ensureAzurite, stopAzurite, type AzuriteEndpoint } from '../../shared/datastore/azurite/azurite';
import type { Workspace } from '../../shared/workspace/workspace';
import { LOCATION_CHECK_MS } from '../../shared/datastore/azurite/exit-with-workspace';
import { isProcessAlive } from '../../shared/util/process-alive';
import { tempWorkspace } from '../support/azurite';
import { waitFor } from '../support/cli';

const run = promisify(execFile);
const cleanup: Workspace[] = [];
after(async () => {
  for (const ws of cleanup) {
    await stopAzurite(ws).catch(() => undefined);
    rmSync(ws.root, { recursive: true, force: true });
  }
});

function workspace(): Workspace {
  const ws = tempWorkspace('tributary-azurite-');
  cleanup.push(ws);
  return ws;
}

/** ensureAzurite in a separate process (as a worker would), returning the endpoint it got. */
async function ensureInAnotherProcess(ws: Workspace): Promise<AzuriteEndpoint> {
  const azurite = path.resolve(__dirname, '../../shared/datastore/azurite/azurite.js');
  const script = `require(${JSON.stringify(azurite)}).ensureAzurite({ azuriteDir: ${JSON.stringify(ws.azuriteDir)} }).then((e) => console.log(JSON.stringify(e)))`;
  const { stdout } = await run(process.execPath, ['-e', script]);
  return JSON.parse(stdout) as AzuriteEndpoint;
}

async function listening(port: number): Promise<net.Server> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return server;
}

describe('embedded Azurite', () => {
  test('starts one Azurite per workspace, answering with the development account', async () => {
    const ws = workspace();
    const endpoint = await ensureAzurite(ws, { port: 0 });
    assert.match(endpoint.blobEndpoint, /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
    assert.equal(endpoint.accountName, 'devstoreaccount1');
    const res = await fetch(`${endpoint.blobEndpoint}?comp=list`);
    assert.match(res.headers.get('server') ?? '', /^Azurite-Blob/);
    await res.body?.cancel();
    assert.deepEqual(azuriteStatus(ws), { running: true, port: endpoint.port, pid: endpoint.pid });
    assert.equal((statSync(path.join(ws.azuriteDir, 'tributary-azurite.json')).mode & 0o777).toString(8), '600');
  });

  test('an Azurite left by a starter that died before recording it is stopped, not leaked', async () => {
    const ws = workspace();
    mkdirSync(ws.azuriteDir, { recursive: true });
    // Stands in for the orphan: a process whose command line names the workspace's Azurite folder.
    const orphan = spawn('sleep', ['60', ws.azuriteDir], { detached: true, stdio: 'ignore' });
    orphan.unref();
    writeFileSync(path.join(ws.azuriteDir, 'tributary-azurite.starting'), `${orphan.pid}\n`);
    const gone = new Promise<void>((resolve) => orphan.once('exit', () => resolve()));
    await ensureAzurite(ws, { port: 0 });
    await gone;
    assert.throws(() => readFileSync(path.join(ws.azuriteDir, 'tributary-azurite.starting')), /ENOENT/);
  });

  test('an Azurite whose workspace was deleted (or replaced by a new folder) ends itself', async () => {
    for (const replace of [false, true]) {
      const ws = workspace();
      const { pid } = await ensureAzurite(ws, { port: 0 });
      rmSync(ws.root, { recursive: true, force: true });
      if (replace) mkdirSync(ws.azuriteDir, { recursive: true });
      await waitFor(`Azurite ${pid} to end`, () => !isProcessAlive(pid), LOCATION_CHECK_MS * 4);
    }
  });

  test('another process reuses the live Azurite instead of starting a second', async () => {
    const ws = workspace();
    const first = await ensureAzurite(ws, { port: 0 });
    const [a, b] = await Promise.all([ensureInAnotherProcess(ws), ensureInAnotherProcess(ws)]);
    assert.equal(a.pid, first.pid);
    assert.equal(b.pid, first.pid);
    assert.equal(a.port, first.port);
  });

  test('concurrent first starts from several processes start exactly one', async () => {
    const ws = workspace();
    const endpoints = await Promise.all([ensureInAnotherProcess(ws), ensureInAnotherProcess(ws), ensureInAnotherProcess(ws)]);
    assert.equal(new Set(endpoints.map((e) => e.pid)).size, 1);
  });

  test('stop ends the process; the next start reuses the remembered port and keeps the data', async () => {
    const ws = workspace();
    const first = await ensureAzurite(ws, { port: 0 });
    await client(first).getContainerClient('keepme').create();
    assert.equal(await stopAzurite(ws), true);
    assert.equal(azuriteStatus(ws).running, false);
    assert.equal(await stopAzurite(ws), false);
    const second = await ensureAzurite(ws);
    assert.notEqual(second.pid, first.pid);
    assert.equal(second.port, first.port);
    assert.equal(await client(second).getContainerClient('keepme').exists(), true);
  });

  test('a remembered port now taken by another program is replaced by a free one', async () => {
    const ws = workspace();
    const first = await ensureAzurite(ws, { port: 0 });
    await stopAzurite(ws);
    const squatter = await listening(first.port);
    try {
      const second = await ensureAzurite(ws);
      assert.notEqual(second.port, first.port);
    } finally {
      squatter.close();
    }
  });

  test('an explicitly chosen port taken by another program: a clear error naming the port, quickly', async () => {
    const squatter = await listening(0);
    const port = (squatter.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      await assert.rejects(ensureAzurite(workspace(), { port, startTimeoutMs: 15_000 }), (err: unknown) => {
        assert.ok(err instanceof ConflictError, String(err));
        assert.match(err.message, new RegExp(`127\\.0\\.0\\.1:${port}: the port is in use by another program`));
        assert.match(err.message, /TRIBUTARY_AZURITE_PORT=<port>/);
        return true;
      });
      assert.ok(Date.now() - started < 15_000);
    } finally {
      squatter.close();
    }
  });

  test('TRIBUTARY_AZURITE_PORT that is not a number is rejected naming the variable', async () => {
    process.env.TRIBUTARY_AZURITE_PORT = 'ten';
    try {
      await assert.rejects(ensureAzurite(workspace()), /TRIBUTARY_AZURITE_PORT=ten: expected a port number/);
    } finally {
      delete process.env.TRIBUTARY_AZURITE_PORT;
    }
  });

  test('an unwritable data folder: a clear error naming the folder', async () => {
    const ws = workspace();
    mkdirSync(ws.root, { recursive: true });
    writeFileSync(path.join(ws.root, 'not-a-folder'), '');
    const blocked = { ...ws, azuriteDir: path.join(ws.root, 'not-a-folder', 'azurite') };
    await assert.rejects(ensureAzurite(blocked, { port: 0 }), (err: unknown) => {
      assert.ok(err instanceof ValidationError);
      assert.match(err.message, new RegExp(`Azurite's data folder ${blocked.azuriteDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not writable \\(ENOTDIR\\)`));
      assert.match(err.message, /--workspace DIR or TRIBUTARY_WORKSPACE/);
      return true;
    });
  });

  test('a read-only data folder (non-root only: root may write anywhere)', { skip: process.getuid?.() === 0 && 'running as root' }, async () => {
    const ws = workspace();
    mkdirSync(ws.azuriteDir, { recursive: true, mode: 0o500 });
    await assert.rejects(ensureAzurite(ws, { port: 0 }), /is not writable \(EACCES\)/);
  });

  test('Azurite exiting while starting shows the end of its output', async () => {
    const ws = workspace();
    mkdirSync(ws.azuriteDir, { recursive: true });
    // A corrupt metadata database makes Azurite fail at startup.
    writeFileSync(path.join(ws.azuriteDir, '__azurite_db_blob__.json'), '{ not json');
    await assert.rejects(ensureAzurite(ws, { port: 0, startTimeoutMs: 15_000 }), (err: unknown) => {
      assert.match(String((err as Error).message), /Azurite (exited with code \d+|was killed by \w+) while starting \(location .*\)\. Its output ends with:\n/);
      return true;
    });
    assert.ok(readFileSync(path.join(ws.azuriteDir, 'azurite-stderr.log'), 'utf8').length > 0);
  });
});

function client(endpoint: AzuriteEndpoint): BlobServiceClient {
  return new BlobServiceClient(endpoint.blobEndpoint, new StorageSharedKeyCredential(endpoint.accountName, endpoint.accountKey));
}
