import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { refuseSourceFolders } from '../../functions/http/source-folders';
import { ApiClient } from '../../shared/api/client';
import { datastoreSnapshotStores, uploadStepSources } from '../../shared/api/publish-sources';
import { BlobContentStore } from '../../shared/datastore/blob/blob-content-store';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { DEFAULT_DATASTORE, DEFAULT_DATASTORE_CONFIG } from '../../shared/datastore/blob/datastore-registry';
import type { PipelineDefinition } from '../../shared/model/definition';
import { materialiseSnapshot } from '../../shared/snapshot/materialise';
import type { Workspace } from '../../shared/workspace/workspace';
import { startTestAzurite, tempWorkspace, type TestAzurite } from '../support/azurite';
import { echoPipeline, startTestHost, type TestHost } from './helpers';

const exec = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'cli', 'main.js');
/** The variable the publisher's datastore reads its connection string from (the server's Azurite). */
const CONNECTION_ENV = 'TRIBUTARY_TEST_SHARED_STORAGE';

const PIPELINE = `type: pipeline
display_name: greet
jobs:
  say:
    type: command
    code: ./src
    command: bash say.sh
    compute: local
`;

/**
 * Publishing to a Tributary that cannot read the publisher's folders (snapshot mode `client`, as
 * the Function App): the server's snapshot store is a BlobContentStore on a real Azurite, and the
 * publisher, with its own workspace, uploads to the same container through its datastore.
 */
describe('HTTP API: publishing with snapshots the client uploads', () => {
  let azurite: TestAzurite;
  let serverStore: BlobContentStore;
  let t: TestHost;
  let client: Workspace;
  let dir: string;

  before(async () => {
    azurite = await startTestAzurite();
    serverStore = BlobContentStore.forDatastore(await Datastore.get(azurite.workspace));
    t = await startTestHost({ snapshots: { mode: 'client', store: serverStore, snapshotSources: refuseSourceFolders } });
    process.env[CONNECTION_ENV] = azurite.endpoint.connectionString;
    client = tempWorkspace('tributary-publisher-');
    await Datastore.register(client, { name: DEFAULT_DATASTORE, container: DEFAULT_DATASTORE_CONFIG.container, connectionStringEnv: CONNECTION_ENV });
    dir = await mkdtemp(join(tmpdir(), 'tributary-sources-'));
  });
  after(async () => {
    await t.close();
    await azurite.stop();
    delete process.env[CONNECTION_ENV];
    await rm(client.root, { recursive: true, force: true });
    await rm(dir, { recursive: true, force: true });
  });

  const withSource = async (name: string, files: Record<string, string>): Promise<PipelineDefinition> => {
    const src = join(dir, name);
    await mkdir(src, { recursive: true });
    for (const [file, text] of Object.entries(files)) await writeFile(join(src, file), text);
    const definition = echoPipeline(name, 'bash say.sh');
    definition.steps['say'] = { ...definition.steps['say']!, codeDir: src };
    return definition;
  };
  const api = () => new ApiClient({ url: t.url, token: t.key });

  it('health advertises that the client snapshots step sources', async () => {
    assert.deepEqual(await api().health(), { status: 'ok', snapshots: 'client' });
  });

  it('stores the uploaded snapshot ids with the pipeline; the server never reads the folder (deleted before publishing)', async () => {
    const definition = await withSource('uploaded', { 'say.sh': 'echo from the snapshot\n', 'data.txt': 'one\n' });
    const snapshots = await uploadStepSources(definition, await datastoreSnapshotStores(client), client, (m) => assert.fail(m));
    assert.match(snapshots['say'] ?? '', /^[0-9a-f]{64}$/);
    await rm(definition.steps['say']!.codeDir!, { recursive: true });

    const published = await api().publish({ name: 'uploaded', definition, snapshots });
    const stored = await t.host.local.services.publish.getPipeline(published.id);
    assert.deepEqual(stored?.snapshots, snapshots);
    const out = join(dir, 'materialised');
    await materialiseSnapshot(serverStore, snapshots['say']!, out);
    assert.equal(await readFile(join(out, 'say.sh'), 'utf8'), 'echo from the snapshot\n', 'the server store holds the files');
    assert.equal(await readFile(join(out, 'data.txt'), 'utf8'), 'one\n');
  });

  it('refuses an id whose manifest is not in its store (400 naming the step and id) and stores nothing', async () => {
    const definition = await withSource('unknown-id', { 'say.sh': 'echo\n' });
    const id = 'ab'.repeat(32);
    const reply = await t.api('POST', 'pipelines', { json: { name: 'unknown-id', definition, snapshots: { say: id } } });
    assert.equal(reply.status, 400, reply.text);
    assert.equal(reply.body.error.target, 'snapshots.say');
    assert.equal(reply.body.error.message, `snapshots.say: step "say": snapshot ${id} is not in this Tributary's snapshot store; upload it to the datastore this Tributary uses (the CLI and SDK do when publishing) and publish again`);
    assert.deepEqual((await t.host.local.services.publish.listPipelines({ name: 'unknown-id' })).items, []);
  });

  it('validates the field: sha256 ids, steps of the definition with a source folder, only with a definition; a folder without a snapshot is refused', async () => {
    const definition = await withSource('invalid', { 'say.sh': 'echo\n' });
    const post = (json: unknown) => t.api('POST', 'pipelines', { json });
    const notHex = await post({ name: 'invalid', definition, snapshots: { say: 'ABC' } });
    assert.equal(notHex.status, 400);
    assert.match(notHex.body.error.message, /^snapshots\.say: a snapshot id is a sha256 hex digest/);
    const unknownStep = await post({ name: 'invalid', definition, snapshots: { train: 'ab'.repeat(32) } });
    assert.equal(unknownStep.status, 400);
    assert.equal(unknownStep.body.error.message, 'snapshots.train: unknown step "train" (steps: say)');
    const noFolder = await post({ name: 'invalid', definition: echoPipeline('invalid'), snapshots: { say: 'ab'.repeat(32) } });
    assert.equal(noFolder.status, 400);
    assert.match(noFolder.body.error.message, /^snapshots\.say: step "say" has no source folder/);
    const withRun = await post({ name: 'invalid', runId: 'some-run', snapshots: { say: 'ab'.repeat(32) } });
    assert.equal(withRun.status, 400);
    assert.match(withRun.body.error.message, /^snapshots: snapshots go with "definition"/);
    const missing = await post({ name: 'invalid', definition });
    assert.equal(missing.status, 400);
    assert.match(missing.body.error.message, /steps "say" \(.*\) have source folders but no snapshot was sent for them/);
  });

  it('refuses local data paths (defaults and bindings): it would read its own files, not the publisher\'s', async () => {
    const definition = echoPipeline('local-data');
    definition.inputs['data'] = { type: 'uri_folder', default: '/etc' };
    const say = definition.steps['say']!;
    say.inputs['data'] = { type: 'uri_folder', optional: false, binding: { kind: 'pipelineInput', name: 'data' } };
    say.inputs['key'] = { type: 'uri_file', optional: false, binding: { kind: 'localPath', type: 'uri_file', path: t.workspace.apiKeyFile } };
    say.inputs['conf'] = { type: 'uri_folder', optional: false, binding: { kind: 'literal', type: 'uri_folder', value: '../conf' } };
    const reply = await t.api('POST', 'pipelines', { json: { name: 'local-data', definition } });
    assert.equal(reply.status, 400, reply.text);
    assert.equal(reply.body.error.target, 'definition.inputs.data.default');
    for (const target of ['definition.inputs.data.default', 'definition.steps.say.inputs.key.binding', 'definition.steps.say.inputs.conf.binding']) {
      assert.match(reply.body.error.message, new RegExp(`${target.replaceAll('.', '\\.')}: local path .*does not share the publisher's file system.*azureml://datastores/`));
    }
    assert.equal((await t.api('GET', 'pipelines?name=local-data')).body.value.length, 0);
    definition.inputs['data'] = { type: 'uri_folder', default: 'azureml://datastores/workspaceblobstore/paths/shared' };
    delete say.inputs['key'];
    delete say.inputs['conf'];
    assert.equal((await t.api('POST', 'pipelines', { json: { name: 'local-data', definition } })).status, 201);
  });

  it('the CLI uploads the step sources when the server asks for it, then publishes', async () => {
    const project = join(dir, 'project');
    await mkdir(join(project, 'src'), { recursive: true });
    await writeFile(join(project, 'pipeline.yml'), PIPELINE);
    await writeFile(join(project, 'src', 'say.sh'), 'echo published by the CLI\n');
    const env = { ...process.env, TRIBUTARY_API_KEY: t.key, TRIBUTARY_URL: '', TRIBUTARY_TOKEN: '' };
    const { stdout } = await exec(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, 'publish', 'pipeline.yml', '--name', 'greet', '--url', t.url, '--workspace', client.root, '--json'], {
      env,
      cwd: project,
    });
    const stored = await t.host.local.services.publish.getPipeline(JSON.parse(stdout).id);
    const id = stored?.snapshots?.['say'];
    assert.ok(id, JSON.stringify(stored));
    const out = join(dir, 'materialised-cli');
    await materialiseSnapshot(serverStore, id, out);
    assert.equal(await readFile(join(out, 'say.sh'), 'utf8'), 'echo published by the CLI\n');
  });
});
