import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { inspect } from 'node:util';
import { CommandStep, Experiment, Pipeline, PipelineData, PipelineParameter, PublishedPipeline, Workspace, type ServiceOptions } from '../../sdk';
import { startTestHost, type TestHost } from '../api/helpers';

/** One step writing a greeting (parameter `who`) to its output. */
function greeting(): Pipeline {
  const who = new PipelineParameter({ name: 'who', defaultValue: 'world' });
  const out = new PipelineData('greeting');
  const say = new CommandStep({ name: 'say', command: 'echo "hello ${{inputs.who}}" > ${{outputs.greeting}}/text', inputs: [who], outputs: [out] });
  return new Pipeline({ steps: [say], name: 'greeting', defaultCompute: 'local' });
}

describe('Pipeline#publish and PipelineRun#publishPipeline (through the local service)', () => {
  let t: TestHost;
  let workspace: Workspace;
  let service: ServiceOptions;
  before(async () => {
    t = await startTestHost();
    workspace = new Workspace({ folder: t.workspace.root });
    service = { url: t.url, apiKey: t.key };
  });
  after(() => t.close());

  it('publishes an SDK pipeline whose endpoint starts runs with parameters', async () => {
    const published = await greeting().publish(workspace, { name: 'greeting', description: 'says hello', service });
    assert.deepEqual([published.name, published.version, published.description], ['greeting', '1', 'says hello']);
    assert.deepEqual(published.parameters, { who: { type: 'string', default: 'world' } });
    for (const shown of [inspect(published, { depth: 10, showHidden: true }), JSON.stringify(published)]) {
      assert.ok(!shown.includes(t.key), 'printing a published pipeline never shows the API key');
    }
    const run = await published.submit({ experimentName: 'sdk-published', pipelineParameters: { who: 'sdk' } });
    const view = await run.waitForCompletion({ timeoutMs: 60_000 });
    assert.equal(view.status, 'Completed');
    assert.equal(view.experiment, 'sdk-published');
    assert.equal(view.publishedPipelineId, published.id);
    assert.deepEqual(view.parameters, { who: 'sdk' });
  });

  it('publishes what a run ran', async () => {
    const run = await new Experiment(workspace, 'sdk-run').submit(greeting());
    await run.waitForCompletion({ timeoutMs: 60_000 });
    const published = await run.publishPipeline({ name: 'from-run', service });
    assert.equal(published.name, 'from-run');
    assert.deepEqual((await PublishedPipeline.get(workspace, published.id, { service })).parameters, { who: { type: 'string', default: 'world' } });
  });
});
