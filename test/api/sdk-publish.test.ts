import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConflictError } from '../../shared/errors';
import { CommandStep, Experiment, Pipeline, PipelineParameter, Workspace } from '../../sdk';
import { PipelineEndpoint, PublishedPipeline, publishPipeline, publishPipelineRun } from '../../sdk/publish';
import { startTestHost, type TestHost } from './helpers';

describe('SDK: PublishedPipeline, PipelineEndpoint, publishing pipelines and runs', () => {
  let t: TestHost;
  let ws: Workspace;
  before(async () => {
    t = await startTestHost();
    ws = new Workspace({ folder: t.workspace.root });
  });
  after(() => t.close());

  const greeter = (text = 'hi') => {
    const greeting = new PipelineParameter({ name: 'greeting', defaultValue: text });
    return new Pipeline({
      name: 'sdk-greeter',
      steps: [new CommandStep({ name: 'say', command: 'echo ${{inputs.greeting}}', inputs: [greeting], computeTarget: 'local' })],
    });
  };

  it('publishes a pipeline (finding the workspace host and key by itself), gets, lists, disables and enables it', async () => {
    const published = await publishPipeline(ws, greeter(), { name: 'sdk-greeter', description: 'says hi' });
    assert.equal(published.version, '1');
    assert.equal(published.status, 'Active');
    assert.deepEqual(published.parameters, { greeting: { type: 'string', default: 'hi' } });
    assert.equal(published.endpoint, `${t.url}/api/pipelines/${published.id}/runs`);
    const fetched = await PublishedPipeline.get(ws, published.id);
    assert.equal(fetched.description, 'says hi');
    await fetched.disable();
    assert.equal(fetched.status, 'Disabled');
    assert.ok(!(await PublishedPipeline.list(ws)).some((p) => p.id === published.id), 'list shows active ones by default');
    assert.ok((await PublishedPipeline.list(ws, { activeOnly: false })).some((p) => p.id === published.id));
    await assert.rejects(fetched.submit(), ConflictError);
    await fetched.enable();
    const run = await fetched.submit({ experimentName: 'sdk', pipelineParameters: { greeting: 'hello there' } });
    const view = await run.waitForCompletion();
    assert.equal(view.status, 'Completed');
    assert.deepEqual(view.parameters, { greeting: 'hello there' });
  });

  it('publishes what a run ran (run.publishPipeline)', async () => {
    const run = await new Experiment(ws, 'sdk-runs').submit(greeter('from a run'));
    await run.waitForCompletion();
    const published = await publishPipelineRun(run, { name: 'from-run', version: '1.0' });
    assert.equal(published.version, '1.0');
    const again = await (await published.submit()).waitForCompletion();
    assert.deepEqual(again.parameters, { greeting: 'from a run' });
  });

  it('PipelineEndpoint: publish, add versions, set the default, get a version, submit', async () => {
    const v1 = await publishPipeline(ws, greeter('one'), { name: 'sdk-ep' });
    const v2 = await publishPipeline(ws, greeter('two'), { name: 'sdk-ep' });
    const endpoint = await PipelineEndpoint.publish(ws, { name: 'sdk-endpoint', pipeline: v1, description: 'greets' });
    assert.equal(endpoint.defaultVersion, '1');
    await endpoint.add(v2);
    assert.deepEqual(endpoint.listVersions(), [{ version: '1', pipelineId: v1.id }, { version: '2', pipelineId: v2.id }]);
    await endpoint.setDefaultVersion('2');
    assert.equal((await PipelineEndpoint.get(ws, 'sdk-endpoint')).defaultVersion, '2');
    assert.equal((await endpoint.getPipeline()).id, v2.id);
    assert.equal((await endpoint.getPipeline('1')).id, v1.id);
    const byDefault = await (await endpoint.submit({ idempotencyKey: 'sdk-1' })).waitForCompletion();
    assert.deepEqual(byDefault.parameters, { greeting: 'two' });
    const pinned = await (await endpoint.submit({ pipelineVersion: '1' })).waitForCompletion();
    assert.deepEqual(pinned.parameters, { greeting: 'one' });
    assert.ok((await PipelineEndpoint.list(ws)).some((e) => e.name === 'sdk-endpoint'));
    const v3 = await publishPipeline(ws, greeter('three'), { name: 'sdk-ep' });
    await endpoint.addDefault(v3);
    assert.equal(endpoint.defaultVersion, '3');
  });

  it('checks its options at the boundary', async () => {
    await assert.rejects(publishPipeline(ws, greeter(), { name: 'x', colour: 'red' } as never), /unknown option "colour"/);
    await assert.rejects(PublishedPipeline.get(ws, 'x', { service: { url: 'not a url' } }), /service\.url/);
  });
});
