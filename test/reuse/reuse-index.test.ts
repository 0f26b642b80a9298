import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { coarseKey, wholeKey } from '../../shared/reuse/key-material';
import { findResult, recordResult, type LookupKeys, type ResultRecord } from '../../shared/reuse/reuse-index';
import { entryOf } from '../../shared/reuse/reuse-records';
import type { CheckItem } from '../../shared/reuse/snapshot-index';
import { SqliteRunStore } from '../../shared/store/sqlite/sqlite-run-store';
import { material, snapshot } from './fixtures';

const run = promisify(execFile);
const never = async () => false;
const always = async () => true;

let dir: string;
let store: SqliteRunStore;
before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'tributary-reuse-index-'));
  store = SqliteRunStore.open(path.join(dir, 'history.db'));
});
after(() => store.close());

const result = (runId: string): ResultRecord => ({ pipelineName: 'p', runId, step: 'train', outputs: { model: { uri: `/runs/${runId}/model`, fingerprint: `fp-${runId}` } }, createdAt: new Date().toISOString() });

function keysFor(seed: string, files: Record<string, string>, narrow = true): LookupKeys {
  const coarse = coarseKey(material({ command: `python train.py ${seed}` }));
  const index = snapshot(files);
  return { coarse, whole: wholeKey(coarse, index.id), ...(narrow ? { narrow: index } : {}) };
}

describe('reuse index in the run store', () => {
  it('finds a result under the whole key', async () => {
    const keys = keysFor('whole', { 'run.sh': 'a' }, false);
    assert.equal(await findResult(store, keys), undefined);
    assert.equal(await recordResult(store, result('r1'), keys, undefined, never), keys.whole);
    assert.equal((await findResult(store, keys))?.runId, 'r1');
    assert.equal(await findResult(store, keysFor('whole', { 'run.sh': 'b' }, false)), undefined);
  });

  it('finds a narrowed result through the chain only while what the run observed is unchanged', async () => {
    const files = { 'train.py': 't1', 'prep.py': 'p1', 'helper.py': 'h1' };
    const observed: CheckItem[] = ['l:', 'r:helper.py', 'r:train.py'];
    await recordResult(store, result('r2'), keysFor('chain', files), observed, never);
    assert.equal((await findResult(store, keysFor('chain', files)))?.runId, 'r2');
    assert.equal((await findResult(store, keysFor('chain', { ...files, 'prep.py': 'p2' })))?.runId, 'r2', 'prep.py was never read');
    assert.equal(await findResult(store, keysFor('chain', { ...files, 'helper.py': 'h2' })), undefined, 'helper.py was read');
    assert.equal(await findResult(store, keysFor('chain', { ...files, 'new.py': '' })), undefined, 'the root was listed');
    assert.equal(await findResult(store, keysFor('chain', files, false)), undefined, 'not under the whole key');
  });

  it('keeps the first result; replaces it only when the policy says so (stale outputs, regeneration)', async () => {
    const keys = keysFor('replace', { 'a.py': '1' });
    const observed: CheckItem[] = ['r:a.py'];
    const first = await recordResult(store, result('r3'), keys, observed, never);
    assert.equal(await recordResult(store, result('r4'), keys, observed, never), first);
    assert.equal((await findResult(store, keys))?.runId, 'r3');
    assert.equal(await recordResult(store, result('r5'), keys, observed, always), first);
    assert.equal((await findResult(store, keys))?.runId, 'r5');
  });

  it('a run that observed more than the chain allows lands under the whole key (always sound)', async () => {
    const files = { 'a.py': '1', 'b.py': '2' };
    await recordResult(store, result('r6'), keysFor('more', files), ['r:a.py'], never);
    const key = await recordResult(store, result('r7'), keysFor('more', files), ['r:a.py', 'r:b.py'], never);
    assert.equal(key, keysFor('more', files).whole);
    assert.equal((await findResult(store, keysFor('more', files)))?.runId, 'r6');
  });

  it('ignores entries it does not understand (treated as absent)', async () => {
    const keys = keysFor('foreign', { 'x.sh': '1' }, false);
    await store.putReuseIfAbsent({ ...result('r8'), key: keys.whole, manifest: { kind: 'something-else' } });
    assert.equal(await findResult(store, keys), undefined);
  });

  it('processes racing to record one narrowed key end with one consistent result', async () => {
    const db = path.join(dir, 'race.db');
    SqliteRunStore.open(db).close();
    const modules = path.join(__dirname, '..', '..', 'shared');
    const fixtures = path.join(__dirname, 'fixtures.js');
    const script = path.join(dir, 'race.js');
    await writeFile(
      script,
      `const { SqliteRunStore } = require(${JSON.stringify(path.join(modules, 'store', 'sqlite', 'sqlite-run-store.js'))});
const { recordResult, findResult } = require(${JSON.stringify(path.join(modules, 'reuse', 'reuse-index.js'))});
const { coarseKey, wholeKey } = require(${JSON.stringify(path.join(modules, 'reuse', 'key-material.js'))});
const { material, snapshot } = require(${JSON.stringify(fixtures)});
(async () => {
  const [runId, startAt] = process.argv.slice(2);
  const store = SqliteRunStore.open(${JSON.stringify(db)});
  const index = snapshot({ 'train.py': 't', 'helper.py': 'h' });
  const coarse = coarseKey(material());
  const keys = { coarse, whole: wholeKey(coarse, index.id), narrow: index };
  while (Date.now() < Number(startAt)) {}
  const rec = { pipelineName: 'p', runId, step: 'train', outputs: { model: { uri: '/runs/' + runId, fingerprint: 'fp-' + runId } }, createdAt: new Date().toISOString() };
  const key = await recordResult(store, rec, keys, ['l:', 'r:helper.py', 'r:train.py'], async () => false);
  const found = await findResult(store, keys);
  process.stdout.write(JSON.stringify({ key, found: found.runId, outputs: found.outputs }));
  await store.close();
})();
`,
    );
    const startAt = Date.now() + 1500;
    const outs = await Promise.all(
      ['a', 'b', 'c', 'd'].map(async (id) => JSON.parse((await run(process.execPath, ['--disable-warning=ExperimentalWarning', script, `run-${id}`, String(startAt)])).stdout)),
    );
    assert.equal(new Set(outs.map((o) => o.key)).size, 1, 'one key');
    assert.equal(new Set(outs.map((o) => o.found)).size, 1, 'every process reads the same winner');
    assert.equal(outs[0].outputs.model.uri, `/runs/${outs[0].found}`, 'the winner entry is entirely one run');
    const check = SqliteRunStore.open(db);
    const results = (await check.listReuseForStep('p', 'train', 50)).filter((r) => entryOf(r)?.kind === 'reuse-result');
    const nodes = (await check.listReuseForStep('p', 'train', 50)).filter((r) => entryOf(r)?.kind === 'reuse-node');
    await check.close();
    assert.equal(results.length, 1);
    assert.equal(nodes.length, 1);
  });
});
