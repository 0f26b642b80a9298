import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { echoPipeline, publish, startTestHost, type TestHost } from './helpers';

describe('HTTP API: published pipelines and endpoints', () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(() => t.close());

  it('publishes a definition: 201, Location, frozen parameters, invoke URL, next version per name', async () => {
    const reply = await t.api('POST', 'pipelines', { json: { name: 'scoring', description: 'nightly', definition: echoPipeline('scoring') } });
    assert.equal(reply.status, 201, reply.text);
    const p = reply.body;
    assert.equal(reply.headers.get('location'), `${t.url}/api/pipelines/${p.id}`);
    assert.match(p.id, /^scoring-[0-9a-f]{10}$/);
    assert.equal(p.version, '1');
    assert.equal(p.status, 'Active');
    assert.equal(p.endpoint, `${t.url}/api/pipelines/${p.id}/runs`);
    assert.deepEqual(p.parameters, {
      msg: { type: 'string', default: 'hello' },
      n: { type: 'integer', default: 1 },
      x: { type: 'number', default: 0.5 },
      flag: { type: 'boolean', default: false },
    });
    assert.equal((await publish(t, echoPipeline('scoring'))).version, '2');
    assert.equal((await publish(t, echoPipeline('scoring'), { version: '2.1-beta' })).version, '2.1-beta');
  });

  it('refuses a duplicate version (409), an invalid version (400) and an invalid definition (400 naming the field)', async () => {
    await publish(t, echoPipeline('dup'), { version: '7' });
    const dup = await t.api('POST', 'pipelines', { json: { name: 'dup', version: '7', definition: echoPipeline('dup') } });
    assert.equal(dup.status, 409);
    assert.match(dup.body.error.message, /already has a published version 7/);
    const bad = await t.api('POST', 'pipelines', { json: { name: 'dup', version: '../7', definition: echoPipeline('dup') } });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.target, 'version');
    const broken = { ...echoPipeline('broken'), steps: { say: { ...echoPipeline().steps['say']!, retry: 'twice' } } };
    const shape = await t.api('POST', 'pipelines', { json: { name: 'broken', definition: broken } });
    assert.equal(shape.status, 400);
    assert.match(shape.body.error.message, /definition\.steps\.say\.retry/);
    const compute = await t.api('POST', 'pipelines', { json: { name: 'gpu', definition: { ...echoPipeline('gpu'), steps: { say: { ...echoPipeline().steps['say']!, compute: 'azureml:gpu' } } } } });
    assert.equal(compute.status, 400);
    assert.match(compute.body.error.message, /unknown compute "azureml:gpu" \(known: local/);
    const both = await t.api('POST', 'pipelines', { json: { name: 'x', definition: echoPipeline(), runId: 'r' } });
    assert.equal(both.status, 400);
    const unknown = await t.api('POST', 'pipelines', { json: { name: 'x', definition: echoPipeline(), colour: 'red' } });
    assert.equal(unknown.status, 400);
    assert.match(unknown.body.error.message, /unknown field "colour"/);
  });

  it('refuses an experiment name that no invocation could run in (400 at publish, not at every invocation)', async () => {
    for (const experimentName of ['../../evil', 'has space', '']) {
      const reply = await t.api('POST', 'pipelines', { json: { name: 'exp', definition: { ...echoPipeline('exp'), experimentName } } });
      assert.equal(reply.status, 400, `${experimentName}: ${reply.text}`);
      assert.equal(reply.body.error.target, 'definition.experimentName');
      assert.match(reply.body.error.message, /experiment name .* is not allowed: use letters, digits/);
    }
    assert.equal((await t.api('GET', 'pipelines?name=exp')).body.value.length, 0);
    const good = await publish(t, { ...echoPipeline('exp'), experimentName: 'nightly_scoring-2' });
    assert.equal((await t.api('POST', `pipelines/${good.id}/runs`, { json: {} })).body.ExperimentName, 'nightly_scoring-2');
  });

  it('refuses "__proto__" as a name anywhere in the definition (it used to vanish silently) and in snapshots', async () => {
    const sendRaw = (name: string, definitionJson: string, extra = '') =>
      t.api('POST', 'pipelines', { body: `{"name": "${name}", "definition": ${definitionJson}${extra}}`, headers: { 'content-type': 'application/json' } });
    const base = JSON.stringify(echoPipeline('proto'));
    const cases: [string, string, string][] = [
      ['inputs', base.replace('"inputs":{', '"inputs":{"__proto__":{"type":"string","default":"x"},'), 'definition.inputs.__proto__'],
      ['steps', base.replace('"steps":{', `"steps":{"__proto__":${JSON.stringify(echoPipeline().steps['say'])},`), 'definition.steps.__proto__'],
      ['step inputs', base.replace('"inputs":{"msg":{"type":"string","optional"', '"inputs":{"__proto__":{"type":"string","optional":true},"msg":{"type":"string","optional"'), 'definition.steps.say.inputs.__proto__'],
      ['environment', base.replace('"environmentVariables":{}', '"environmentVariables":{"__proto__":"x"}'), 'definition.steps.say.environmentVariables.__proto__'],
    ];
    for (const [what, definition, target] of cases) {
      assert.notEqual(definition, base, what);
      const reply = await sendRaw('proto', definition);
      assert.equal(reply.status, 400, `${what}: ${reply.text}`);
      assert.equal(reply.body.error.target, target, what);
      assert.match(reply.body.error.message, /"__proto__" cannot be a name here/, what);
    }
    const snapshots = await sendRaw('proto', base, `, "snapshots": {"__proto__": "${'a'.repeat(64)}"}`);
    assert.equal(snapshots.status, 400, snapshots.text);
    assert.equal(snapshots.body.error.target, 'snapshots.__proto__');
    assert.equal((await t.api('GET', 'pipelines?name=proto')).body.value.length, 0);
  });

  it('lists newest first with filters and pages via continuationToken / nextLink', async () => {
    for (let i = 0; i < 3; i++) await publish(t, echoPipeline('paged'));
    const first = await t.api('GET', 'pipelines?name=paged&limit=2');
    assert.equal(first.status, 200);
    assert.deepEqual(first.body.value.map((p: any) => p.version), ['3', '2']);
    assert.ok(first.body.continuationToken);
    const next = await fetch(first.body.nextLink, { headers: { authorization: `Bearer ${t.key}` } });
    const second: any = await next.json();
    assert.deepEqual(second.value.map((p: any) => p.version), ['1']);
    assert.equal(second.continuationToken, undefined);
    assert.equal((await t.api('GET', 'pipelines?status=Paused')).status, 400);
    assert.equal((await t.api('GET', 'pipelines?limit=0')).status, 400);
    assert.equal((await t.api('GET', 'pipelines?continuationToken=zzz')).status, 400);
  });

  it('gets one with its definition; 404 for an unknown id', async () => {
    const p = await publish(t, echoPipeline('shown'));
    const reply = await t.api('GET', `pipelines/${p.id}`);
    assert.equal(reply.status, 200);
    assert.equal(reply.body.definition.steps.say.command, echoPipeline().steps['say']!.command);
    const missing = await t.api('GET', 'pipelines/nope-0000000000');
    assert.equal(missing.status, 404);
    assert.deepEqual(Object.keys(missing.body.error).sort(), ['code', 'message', 'target']);
  });

  it('disables and enables (idempotent); 404 for an unknown id', async () => {
    const p = await publish(t, echoPipeline('toggle'));
    assert.equal((await t.api('POST', `pipelines/${p.id}/disable`)).body.status, 'Disabled');
    assert.equal((await t.api('POST', `pipelines/${p.id}/disable`)).body.status, 'Disabled');
    assert.equal((await t.api('GET', `pipelines?name=toggle&status=Disabled`)).body.value.length, 1);
    assert.equal((await t.api('POST', `pipelines/${p.id}/enable`)).body.status, 'Active');
    assert.ok(t.log.lines.some((l) => l.includes('pipeline disabled') && l.includes(p.id) && l.includes('"by":"api key"')), 'audited');
    assert.equal((await t.api('POST', 'pipelines/ghost/disable')).status, 404);
    assert.equal((await t.api('POST', 'pipelines/ghost/enable')).status, 404);
  });

  it('pipeline endpoints: create, add versions, set the default, list, get; clear errors', async () => {
    const v1 = await publish(t, echoPipeline('ep'));
    const v2 = await publish(t, echoPipeline('ep'));
    const created = await t.api('POST', 'endpoints', { json: { name: 'ep-live', pipelineId: v1.id, description: 'live' } });
    assert.equal(created.status, 201, created.text);
    assert.equal(created.headers.get('location'), `${t.url}/api/endpoints/ep-live`);
    assert.equal(created.body.defaultVersion, '1');
    assert.equal(created.body.endpoint, `${t.url}/api/endpoints/ep-live/runs`);
    const added = await t.api('POST', 'endpoints/ep-live/versions', { json: { pipelineId: v2.id } });
    assert.equal(added.status, 200);
    assert.deepEqual(added.body.versions.map((v: any) => v.version), ['1', '2']);
    assert.equal(added.body.defaultVersion, '1', 'adding does not change the default');
    const dupVersion = await t.api('POST', 'endpoints/ep-live/versions', { json: { pipelineId: v2.id } });
    assert.equal(dupVersion.status, 409);
    const labelled = await t.api('POST', 'endpoints/ep-live/versions', { json: { pipelineId: v2.id, version: 'canary', makeDefault: true } });
    assert.equal(labelled.body.defaultVersion, 'canary');
    const setDefault = await t.api('PUT', 'endpoints/ep-live/default', { json: { version: '2' } });
    assert.equal(setDefault.status, 200);
    assert.equal(setDefault.body.defaultVersion, '2');
    const unknownVersion = await t.api('PUT', 'endpoints/ep-live/default', { json: { version: '9' } });
    assert.equal(unknownVersion.status, 400);
    assert.match(unknownVersion.body.error.message, /no version "9" \(versions: 1, 2, canary\)/);
    assert.equal((await t.api('PUT', 'endpoints/ep-live/default', { json: { version: 'a b' } })).status, 400);
    assert.equal((await t.api('GET', 'endpoints/ep-live')).body.defaultVersion, '2');
    assert.ok((await t.api('GET', 'endpoints')).body.value.some((e: any) => e.name === 'ep-live'));
    assert.equal((await t.api('POST', 'endpoints', { json: { name: 'ep-live', pipelineId: v1.id } })).status, 409);
    assert.equal((await t.api('POST', 'endpoints', { json: { name: 'other', pipelineId: 'ghost' } })).status, 404);
    assert.equal((await t.api('GET', 'endpoints/ghost')).status, 404);
    assert.equal((await t.api('POST', 'endpoints/ghost/versions', { json: { pipelineId: v1.id } })).status, 404);
    assert.equal((await t.api('PUT', 'endpoints/ghost/default', { json: { version: '1' } })).status, 404);
  });

  it('publish --endpoint adds the new version to an endpoint (created on first use)', async () => {
    const first = await publish(t, echoPipeline('auto'), { endpoint: 'auto-ep' });
    assert.equal(first.pipelineEndpoint.defaultVersion, '1');
    const second = await publish(t, echoPipeline('auto'), { endpoint: 'auto-ep', makeDefault: true });
    assert.equal(second.pipelineEndpoint.defaultVersion, '2');
    assert.deepEqual(second.pipelineEndpoint.versions.map((v: any) => v.version), ['1', '2']);
  });

  it('publish --endpoint is all or nothing: a version the endpoint has is a 409 and nothing is published; a retry with another version works', async () => {
    const holder = await publish(t, echoPipeline('holder'));
    assert.equal((await t.api('POST', 'endpoints', { json: { name: 'taken', pipelineId: holder.id, version: '1' } })).status, 201);
    await t.api('POST', 'endpoints/taken/versions', { json: { pipelineId: holder.id, version: '2' } });
    const refuse = async (extra: Record<string, unknown>) => {
      const reply = await t.api('POST', 'pipelines', { json: { name: 'atomic', definition: echoPipeline('atomic'), endpoint: 'taken', ...extra } });
      assert.equal(reply.status, 409, reply.text);
      assert.match(reply.body.error.message, /pipeline endpoint "taken" already has version \d/);
      assert.deepEqual((await t.api('GET', 'pipelines?name=atomic')).body.value, [], 'nothing was published');
    };
    await refuse({ version: '2' }); // known beforehand: refused before publishing
    await refuse({ version: '2' }); // and again, not "already has a published version"
    await refuse({}); // the automatic version 1, found taken only once published: undone
    await refuse({});
    assert.equal((await publish(t, echoPipeline('atomic'))).version, '1', 'the undone automatic version was freed');
    const retried = await publish(t, echoPipeline('atomic'), { endpoint: 'taken', version: '3' });
    assert.deepEqual(retried.pipelineEndpoint.versions.map((v: any) => v.version), ['1', '2', '3']);
    assert.equal((await t.api('GET', 'endpoints/taken')).body.defaultVersion, '1');
  });
});
