import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { DEFINITION_SCHEMA_VERSION, type PipelineDefinition } from '../../shared/model/definition';
import { publish, startTestHost, waitForRun, type TestHost } from './helpers';

/** One step that prints `a.txt` of its uri_folder input `data` (default: a folder of the publisher's). */
function readerPipeline(name: string, localDefault: string): PipelineDefinition {
  return {
    schemaVersion: DEFINITION_SCHEMA_VERSION,
    name,
    continueOnStepFailure: false,
    inputs: { data: { type: 'uri_folder', default: localDefault } },
    outputs: {},
    steps: {
      read: {
        name: 'read',
        kind: 'command',
        command: 'cat ${{inputs.data}}/a.txt',
        compute: 'local',
        inputs: { data: { type: 'uri_folder', optional: false, binding: { kind: 'pipelineInput', name: 'data' } } },
        outputs: {},
        environmentVariables: {},
        allowReuse: false,
        retry: { maxAttempts: 1, initialDelaySeconds: 0 },
        origin: 'test',
      },
    },
    source: 'test',
  };
}

describe('HTTP API: data inputs of invocations come from datastores, never from the server\'s files', () => {
  let t: TestHost;
  let dir: string;
  let pipelineId: string;
  before(async () => {
    t = await startTestHost();
    dir = await mkdtemp(join(tmpdir(), 'tributary-data-'));
    await mkdir(join(dir, 'publisher'));
    await writeFile(join(dir, 'publisher', 'a.txt'), 'publisher default\n');
    await mkdir(join(dir, 'shared'));
    await writeFile(join(dir, 'shared', 'a.txt'), 'on the datastore\n');
    pipelineId = (await publish(t, readerPipeline('reader', join(dir, 'publisher')), { endpoint: 'reader' })).id;
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  const logsOf = async (reply: { status: number; text: string; body: any }) => {
    assert.equal(reply.status, 202, reply.text);
    const run = await waitForRun(t, reply.body.Id);
    assert.equal(run.status, 'Completed', JSON.stringify(run));
    return (await t.api('GET', `runs/${run.id}/steps/read/logs`)).text;
  };
  const runCount = async () => (await t.api('GET', `runs?pipelineId=${pipelineId}`)).body.value.length;

  it('the publisher\'s local default keeps working when nothing is assigned', async () => {
    assert.equal(await logsOf(await t.api('POST', `pipelines/${pipelineId}/runs`, { json: {} })), 'publisher default\n');
    assert.equal(await logsOf(await t.api('POST', 'endpoints/reader/runs', { json: {} })), 'publisher default\n');
  });

  it('takes data on a datastore, as an azureml:// URI or as DataPathAssignments', async () => {
    const ds = await Datastore.get(t.workspace);
    await ds.uploadFiles([join(dir, 'shared', 'a.txt')], { targetPath: 'shared' });
    const uri = ds.uri('shared');
    assert.equal(await logsOf(await t.api('POST', `pipelines/${pipelineId}/runs`, { json: { ParameterAssignments: { data: uri } } })), 'on the datastore\n');
    const byPath = { DataPathAssignments: { data: { DataStoreName: 'workspaceblobstore', RelativePath: 'shared/' } } };
    assert.equal(await logsOf(await t.api('POST', 'endpoints/reader/runs', { json: byPath })), 'on the datastore\n');
  });

  it('refuses local paths (absolute, relative to the server, its workspace and key file) with a 400 naming the parameter; starts nothing', async () => {
    const before = await runCount();
    const locals = ['/etc', '../../../etc', join(dir, 'shared'), t.workspace.root, t.workspace.apiKeyFile, '.tributary', 'data'];
    for (const path of ['pipelines/' + pipelineId + '/runs', 'endpoints/reader/runs']) {
      for (const local of locals) {
        for (const field of ['ParameterAssignments', 'PipelineParameters']) {
          const reply = await t.api('POST', path, { json: { [field]: { data: local } } });
          assert.equal(reply.status, 400, `${path} ${field} ${local}: ${reply.text}`);
          assert.equal(reply.body.error.target, field);
          assert.match(reply.body.error.message, /inputs\.data: .* is not a datastore URI; over HTTP a uri_folder input takes azureml:\/\/datastores\/<datastore>\/paths\/<path>/);
          assert.match(reply.body.error.message, /DataPathAssignments/);
        }
      }
    }
    assert.equal(await runCount(), before);
  });

  it('checks DataPathAssignments.*.DataStoreName as a datastore name, with DataPathAssignments targets', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ DataStoreName: 'workspaceblobstore/paths/a', RelativePath: 'b' }, 'DataPathAssignments.data.DataStoreName'],
      [{ DataStoreName: 'workspaceblobstore', RelativePath: '../x' }, 'DataPathAssignments.data.RelativePath'],
    ];
    for (const [value, target] of cases) {
      const reply = await t.api('POST', 'endpoints/reader/runs', { json: { DataPathAssignments: { data: value } } });
      assert.equal(reply.status, 400, reply.text);
      assert.equal(reply.body.error.target, target);
      assert.ok(reply.body.error.message.startsWith(`${target}: `), reply.body.error.message);
    }
  });

  it('publishing refuses relative local data paths (the server would resolve them against its own folder)', async () => {
    const relative = await t.api('POST', 'pipelines', { json: { name: 'relative', definition: readerPipeline('relative', '../../../etc') } });
    assert.equal(relative.status, 400, relative.text);
    assert.equal(relative.body.error.target, 'definition.inputs.data.default');
    assert.match(relative.body.error.message, /local path "\.\.\/\.\.\/\.\.\/etc" is relative, .*give an absolute path or a datastore URI/);
    const literal = readerPipeline('relative', join(dir, 'publisher'));
    literal.steps['read']!.inputs['data']!.binding = { kind: 'literal', type: 'uri_folder', value: '.tributary' };
    const bound = await t.api('POST', 'pipelines', { json: { name: 'relative', definition: literal } });
    assert.equal(bound.status, 400, bound.text);
    assert.equal(bound.body.error.target, 'definition.steps.read.inputs.data.binding');
    assert.equal((await t.api('GET', 'pipelines?name=relative')).body.value.length, 0);
  });

  it('"__proto__" is an unknown pipeline input, as any other unknown name', async () => {
    for (const field of ['ParameterAssignments', 'PipelineParameters']) {
      const reply = await t.api('POST', `pipelines/${pipelineId}/runs`, { body: `{"${field}": {"__proto__": {"x": 1}}}`, headers: { 'content-type': 'application/json' } });
      assert.equal(reply.status, 400, reply.text);
      assert.equal(reply.body.error.target, field);
      assert.match(reply.body.error.message, /inputs\.__proto__: unknown pipeline input \(known: data\)/);
    }
  });
});
