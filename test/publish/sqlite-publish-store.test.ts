import assert from 'node:assert/strict';
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
