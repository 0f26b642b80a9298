import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { SqlitePublishStore } from '../../shared/publish/sqlite/sqlite-publish-store';
import { describePublishStoreContract, newPipeline } from './publish-store-contract';

describePublishStoreContract('SqlitePublishStore', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-publish-'));
  return { store: SqlitePublishStore.open(join(dir, 'ws', 'publish.db')), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

it('SqlitePublishStore: the file is owner-only and survives reopening', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-publish-'));
  try {
    const file = join(dir, 'publish.db');
    const first = SqlitePublishStore.open(file);
    await first.createPipeline(newPipeline('kept'));
    await first.close();
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const second = SqlitePublishStore.open(file);
    assert.equal((await second.getPipeline('kept'))?.name, 'score');
    await second.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

it('SqlitePublishStore: of claims racing from several processes on one file, exactly one wins', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tributary-publish-'));
  try {
    const file = join(dir, 'publish.db');
    await SqlitePublishStore.open(file).close(); // create and migrate once, before the race
    const storeModule = join(__dirname, '..', '..', 'shared', 'publish', 'sqlite', 'sqlite-publish-store.js');
    const script = `
      const { SqlitePublishStore } = require(${JSON.stringify(storeModule)});
      const store = SqlitePublishStore.open(process.argv[1]);
      (async () => {
        let won = 0;
        for (let i = 0; i < 25; i++) {
          const claim = await store.claimIdempotency({ scope: 'endpoint:e', key: 'k', runId: process.pid + '-' + i, requestHash: 'h',
            createdAt: new Date().toISOString(), expiresAt: new Date(Date.now() + 86400000).toISOString() });
          if (claim.claimed) won++;
        }
        await store.close();
        process.stdout.write(String(won));
      })();`;
    const wins = await Promise.all(
      Array.from({ length: 4 }, () => new Promise<number>((resolve, reject) => {
        execFile(process.execPath, ['--disable-warning=ExperimentalWarning', '-e', script, file], (err, stdout) => (err ? reject(err) : resolve(Number(stdout))));
      })),
    );
    assert.equal(wins.reduce((a, b) => a + b, 0), 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
