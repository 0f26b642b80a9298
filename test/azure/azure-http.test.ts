import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HttpRequest, HttpResponse } from '@azure/functions';
import { createAzureServices, type AzureServices } from '../../functions/durable/azure-services';
import { AZURE_MONITOR } from '../../functions/durable/durable-run-launcher';
import { instanceClientFor } from '../../functions/durable/durable-client';
import { RUN_ORCHESTRATION } from '../../functions/durable/names';
import { readSettings } from '../../functions/durable/settings';
import { azureHttpServices } from '../../functions/http/azure-http-services';
import { composeHttp } from '../../functions/http/composition';
import { loadHttpFunctions } from '../../host/http-functions';
import type { API_ROUTES } from '../../shared/api/routes';
import { datastoreSnapshotStores, uploadStepSources } from '../../shared/api/publish-sources';
import { BlobDataPlane } from '../../shared/datastore/blob/blob-data-plane';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { DEFAULT_DATASTORE } from '../../shared/datastore/blob/datastore-registry';
import { attemptPaths, resolveWorkspace } from '../../shared/workspace/workspace';
import { echoPipeline } from '../api/helpers';
import { startTestAzurite, type TestAzurite } from '../support/azurite';
import { startCosmosServer, type CosmosTestServer } from '../support/cosmos-server';
import { startFakeDurableExtension, type FakeDurableExtension } from './support/fake-durable-extension';

type Jose = typeof import('jose', { with: { 'resolution-mode': 'import' } });
type SigningKey = Awaited<ReturnType<Jose['generateKeyPair']>>['privateKey'];

const HTTP_FUNCTIONS = loadHttpFunctions();
const TENANT = '11111111-2222-3333-4444-555555555555';
const AUDIENCE = 'api://tributary-azure-test';
const ORIGIN = 'https://tributary.example.net';

interface Reply {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

/**
 * The registered HTTP functions with the services the Function App composes: Cosmos DB stores
 * (cosmosdb-server), the blob datastore (Azurite), Entra ID tokens (a key set on 127.0.0.1) and the
 * real DurableClient talking to a loopback fake of the Durable extension (the host cannot run here).
 */
describe('the HTTP API as the Function App composes it', () => {
  let cosmos: CosmosTestServer;
  let azurite: TestAzurite;
  let durable: FakeDurableExtension;
  let keys: Server;
  let core: AzureServices;
  let jose: Jose;
  let signingKey: SigningKey;
  let workspaceRoot: string;
  let authEnv: NodeJS.ProcessEnv;
  const log: string[] = [];

  before(async () => {
    [cosmos, azurite, durable] = await Promise.all([startCosmosServer(), startTestAzurite(), startFakeDurableExtension()]);
    jose = await import('jose');
    const pair = await jose.generateKeyPair('RS256');
    signingKey = pair.privateKey;
    const jwk = { ...(await jose.exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    keys = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] })));
    await new Promise<void>((resolve) => keys.listen(0, '127.0.0.1', resolve));
    authEnv = {
      TRIBUTARY_AUTH: 'entra',
      TRIBUTARY_ENTRA_TENANT_ID: TENANT,
      TRIBUTARY_ENTRA_AUDIENCE: AUDIENCE,
      TRIBUTARY_ENTRA_JWKS_URI: `http://127.0.0.1:${(keys.address() as AddressInfo).port}/keys`,
    };
    workspaceRoot = mkdtempSync(path.join(os.tmpdir(), 'tributary-func-'));
    // The datastore reads its connection string from the setting it names, as in the Function App.
    process.env['AzureWebJobsStorage'] = azurite.endpoint.connectionString;
    const settings = readSettings({
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      COSMOS_CREATE_CONTAINERS: 'true',
      TRIBUTARY_WORKSPACE: workspaceRoot,
      TRIBUTARY_LOCAL_COMPUTE: 'true',
      AzureWebJobsStorage: azurite.endpoint.connectionString,
    });
    core = await createAzureServices(settings, { cosmosAgent: cosmos.agent });
    composeHttp(azureHttpServices({ services: async () => core, client: instanceClientFor, env: authEnv }));
  });
  after(async () => {
    await core?.close();
    await new Promise((resolve) => keys.close(resolve));
    await Promise.all([durable.close(), cosmos.close(), azurite.stop()]);
    delete process.env['AzureWebJobsStorage'];
    rmSync(workspaceRoot, { recursive: true, force: true });
  });

  const token = () =>
    new jose.SignJWT({ oid: 'caller', roles: ['Tributary.Access'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(`https://login.microsoftonline.com/${TENANT}/v2.0`)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(signingKey);

  async function call(
    name: keyof typeof API_ROUTES,
    method: string,
    route: string,
    options: { json?: unknown; params?: Record<string, string>; headers?: Record<string, string>; auth?: boolean } = {},
  ): Promise<Reply> {
    const fn = HTTP_FUNCTIONS.find((f) => f.name === name)!.options;
    const headers: Record<string, string> = { ...options.headers };
    if (options.auth !== false) headers['authorization'] = `Bearer ${await token()}`;
    if (options.json !== undefined) headers['content-type'] = 'application/json';
    const request = new HttpRequest({
      method,
      url: `${ORIGIN}/api/${route}`,
      headers,
      params: options.params ?? {},
      ...(options.json !== undefined ? { body: { string: JSON.stringify(options.json) } } : {}),
    });
    const result = await fn.handler(request, durable.context(fn.extraInputs![0]!, (line) => log.push(line)));
    const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
    const text = await response.text();
    return { status: response.status, headers: response.headers, text, body: response.headers.get('content-type')?.includes('json') ? JSON.parse(text) : undefined };
  }

  const publish = async (name: string, definition = echoPipeline(name)) => call('publishPipeline', 'POST', 'pipelines', { json: { name, definition } });

  it('answers health without credentials and refuses every other route without a token', async () => {
    const health = await call('health', 'GET', 'health', { auth: false });
    assert.equal(health.status, 200);
    assert.deepEqual(health.body, { status: 'ok', snapshots: 'client' }, 'publishers upload step sources: this app cannot read their folders');
    const denied = await call('listPipelines', 'GET', 'pipelines', { auth: false });
    assert.equal(denied.status, 401);
    assert.equal(denied.headers.get('www-authenticate'), 'Bearer realm="tributary"');
  });

  it('invoke: records the run in Cosmos DB and asks Durable to start its orchestration with the run id as instance id, once per Idempotency-Key', async () => {
    const published = await publish('nightly');
    assert.equal(published.status, 201, published.text);
    assert.equal((await core.publish.getPipeline(published.body.id))?.name, 'nightly');
    const invoke = () =>
      call('invokePipeline', 'POST', `pipelines/${published.body.id}/runs`, {
        params: { id: published.body.id },
        headers: { 'idempotency-key': 'nightly-1' },
        json: { ExperimentName: 'azure', ParameterAssignments: { n: 3 } },
      });
    const first = await invoke();
    assert.equal(first.status, 202, first.text);
    const runId: string = first.body.Id;
    const run = await core.store.getRun(runId);
    assert.equal(run?.status, 'NotStarted');
    assert.equal(run?.publishedPipelineId, published.body.id);
    assert.equal(run?.parameters['n'], 3);
    assert.deepEqual(run?.driver?.instanceId, runId);
    const starts = durable.starts.filter((s) => s.instanceId === runId);
    assert.deepEqual(starts, [{ orchestration: RUN_ORCHESTRATION, instanceId: runId, input: { runId, monitor: AZURE_MONITOR } }]);

    const replay = await invoke();
    assert.equal(replay.status, 202);
    assert.equal(replay.body.Id, runId);
    assert.equal(replay.headers.get('idempotent-replayed'), 'true');
    assert.equal(durable.starts.filter((s) => s.instanceId === runId).length, 1, 'a replayed key starts nothing');
  });

  it('publish with an endpoint is all or nothing on Cosmos DB too: a version the endpoint has is a 409 and nothing stays published', async () => {
    const holder = await publish('holder');
    assert.equal((await call('createEndpoint', 'POST', 'endpoints', { json: { name: 'taken', pipelineId: holder.body.id, version: '1' } })).status, 201);
    for (const version of [undefined, undefined, '1']) {
      const refused = await call('publishPipeline', 'POST', 'pipelines', { json: { name: 'atomic', definition: echoPipeline('atomic'), endpoint: 'taken', ...(version ? { version } : {}) } });
      assert.equal(refused.status, 409, refused.text);
      assert.match(refused.body.error.message, /pipeline endpoint "taken" already has version 1/);
      assert.deepEqual((await core.publish.listPipelines({ name: 'atomic' })).items, []);
    }
    const published = await publish('atomic');
    assert.equal(published.body.version, '1', 'the undone version was freed');
    assert.deepEqual((await core.publish.getEndpoint('taken'))?.versions.map((v) => v.pipelineId), [holder.body.id]);
  });

  it('refuses to publish steps with source folders but no sent snapshot, naming them, and stores nothing', async () => {
    const definition = echoPipeline('with-code');
    definition.steps['say'] = { ...definition.steps['say']!, codeDir: '/home/someone/project/src' };
    const refused = await publish('with-code', definition);
    assert.equal(refused.status, 400, refused.text);
    assert.match(refused.body.error.message, /steps "say" \(\/home\/someone\/project\/src\) have source folders but no snapshot was sent for them/);
    assert.equal(refused.body.error.target, 'definition.steps.say.codeDir');
    assert.deepEqual((await core.publish.listPipelines({ name: 'with-code' })).items, []);
  });

  it('publishes steps with source folders whose snapshots the publisher uploaded to the datastore, after checking them', async () => {
    // The publisher's own workspace, its workspaceblobstore registered against the app's storage account and container (the default).
    const publisher = resolveWorkspace(mkdtempSync(path.join(os.tmpdir(), 'tributary-publisher-')));
    const src = path.join(publisher.root, 'src');
    try {
      await mkdir(src);
      await writeFile(path.join(src, 'say.sh'), 'echo uploaded\n');
      await Datastore.register(publisher, { name: DEFAULT_DATASTORE, container: 'workspaceblobstore', connectionStringEnv: 'AzureWebJobsStorage' });
      const definition = echoPipeline('uploaded', 'bash say.sh');
      definition.steps['say'] = { ...definition.steps['say']!, codeDir: src };
      const snapshots = await uploadStepSources(definition, await datastoreSnapshotStores(publisher), publisher, (m) => assert.fail(m));
      rmSync(src, { recursive: true });
      const published = await call('publishPipeline', 'POST', 'pipelines', { json: { name: 'uploaded', definition, snapshots } });
      assert.equal(published.status, 201, published.text);
      assert.deepEqual((await core.publish.getPipeline(published.body.id))?.snapshots, snapshots);

      const unknown = await call('publishPipeline', 'POST', 'pipelines', { json: { name: 'uploaded', definition, snapshots: { say: '0'.repeat(64) } } });
      assert.equal(unknown.status, 400);
      assert.equal(unknown.body.error.target, 'snapshots.say');
      assert.match(unknown.body.error.message, new RegExp(`step "say": snapshot ${'0'.repeat(64)} is not in this Tributary's snapshot store`));
    } finally {
      rmSync(publisher.root, { recursive: true, force: true });
    }
  });

  it('serves step logs from the blob datastore, as the attempt uploaded them', async () => {
    const published = await publish('logged');
    const invoked = await call('invokePipeline', 'POST', `pipelines/${published.body.id}/runs`, { params: { id: published.body.id }, json: { ExperimentName: 'logs' } });
    const runId: string = invoked.body.Id;
    await core.store.putStepRun({ runId, step: 'say', status: 'Completed', attempt: 1, compute: 'local', reused: false, outputs: {} });
    // What the finalize activity does at the end of an attempt, with the Function App's data plane.
    const workspace = resolveWorkspace(workspaceRoot);
    const paths = attemptPaths(workspace, runId, 'say', 1);
    await mkdir(path.dirname(paths.stdout), { recursive: true });
    await writeFile(paths.stdout, 'msg=hello n=1\n');
    await writeFile(paths.stderr, 'a warning\n');
    await new BlobDataPlane(workspace, { background: false }).persistAttemptArtifacts({ runId, step: 'say', attempt: 1, scratchDir: paths.dataDir }, paths);
    const logs = await call('getStepLogs', 'GET', `runs/${runId}/steps/say/logs`, { params: { id: runId, step: 'say' } });
    assert.equal(logs.status, 200);
    assert.equal(logs.text, 'msg=hello n=1\na warning\n');
  });

  it('without Entra ID settings answers 500 with a correlation id and logs which setting is wrong', async () => {
    composeHttp(azureHttpServices({ services: async () => core, client: instanceClientFor, env: {} }));
    try {
      const failed = await call('listRuns', 'GET', 'runs');
      assert.equal(failed.status, 500);
      const { correlationId } = failed.body.error;
      assert.ok(log.some((line) => line.includes(correlationId) && line.includes('app setting TRIBUTARY_AUTH')), log.join('\n'));
    } finally {
      composeHttp(azureHttpServices({ services: async () => core, client: instanceClientFor, env: authEnv }));
    }
  });
});
