import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { startTestHost, waitForRun, type TestHost } from './helpers';

const exec = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'cli', 'main.js');

const PIPELINE = `type: pipeline
display_name: greet
settings:
  default_compute: azureml:cpu-cluster
inputs:
  greeting: hello
  times: 2
jobs:
  say:
    type: command
    code: ./src
    command: bash say.sh \${{inputs.greeting}} \${{inputs.times}}
    inputs:
      greeting: \${{parent.inputs.greeting}}
      times: \${{parent.inputs.times}}
`;

describe('CLI over the HTTP API: publish, pipelines, endpoints, invoke', () => {
  let t: TestHost;
  let dir: string;
  before(async () => {
    t = await startTestHost();
    dir = await mkdtemp(join(tmpdir(), 'tributary-cli-'));
    await mkdir(join(dir, 'src'));
    await writeFile(join(dir, 'pipeline.yml'), PIPELINE);
    await writeFile(join(dir, 'src', 'say.sh'), 'for i in $(seq "$2"); do echo "v1 $1"; done\n');
  });
  after(async () => {
    await t.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Runs the CLI against the test host: `--url` and the key from the environment (or the workspace when `viaWorkspace`). */
  const cli = async (args: string[], options: { viaWorkspace?: boolean } = {}) => {
    const env = { ...process.env, TRIBUTARY_API_KEY: options.viaWorkspace ? '' : t.key, TRIBUTARY_URL: '', TRIBUTARY_TOKEN: '' };
    const extra = options.viaWorkspace ? ['--workspace', t.workspace.root] : ['--url', t.url];
    try {
      const { stdout, stderr } = await exec(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, ...args, ...extra], { env, cwd: dir });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it('publishes a YAML (source frozen at publish), shows, lists, disables and enables it', async () => {
    const published = await cli(['publish', 'pipeline.yml', '--name', 'greet', '--description', 'says hello', '--compute', 'azureml:cpu-cluster=local', '--json']);
    assert.equal(published.code, 0, published.stderr);
    const p = JSON.parse(published.stdout);
    assert.match(p.id, /^greet-/);
    assert.equal(p.endpoint, `${t.url}/api/pipelines/${p.id}/runs`);
    await writeFile(join(dir, 'src', 'say.sh'), 'echo "v2 edited after publishing"\n');

    const invoked = await cli(['invoke', p.id, '--set', 'greeting=hey', '--set', 'inputs.times=3', '--experiment', 'cli', '--json']);
    assert.equal(invoked.code, 0, invoked.stderr);
    const run = await waitForRun(t, JSON.parse(invoked.stdout).id);
    assert.equal(run.status, 'Completed');
    assert.equal((await t.api('GET', `runs/${run.id}/steps/say/logs`)).text, 'v1 hey\nv1 hey\nv1 hey\n', 'the published snapshot ran, not the edited file');

    const shown = await cli(['pipelines', 'show', p.id]);
    assert.match(shown.stdout, /Parameters {2}greeting \(string, default "hello"\), times \(integer, default 2\)/);
    assert.match((await cli(['pipelines', 'list'])).stdout, new RegExp(`${p.id}\\s+greet\\s+1\\s+Active`));
    assert.match((await cli(['pipelines', 'disable', p.id])).stdout, /Disabled: invocations are refused/);
    const refused = await cli(['invoke', p.id]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is disabled, so no run was started/);
    assert.equal((await cli(['pipelines', 'enable', p.id])).code, 0);
  });

  it('manages endpoints and invokes one by name; --idempotency-key makes a retry return the first run', async () => {
    const v1 = JSON.parse((await cli(['publish', 'pipeline.yml', '--name', 'greet-ep', '--compute', 'azureml:cpu-cluster=local', '--endpoint', 'greeter', '--json'])).stdout);
    assert.equal(v1.pipelineEndpoint.defaultVersion, '1');
    const v2 = JSON.parse((await cli(['publish', 'pipeline.yml', '--name', 'greet-ep', '--version', '2.0', '--compute', 'azureml:cpu-cluster=local', '--json'])).stdout);
    assert.equal((await cli(['endpoints', 'add-version', 'greeter', '--pipeline', v2.id])).code, 0);
    assert.match((await cli(['endpoints', 'set-default', 'greeter', '2.0'])).stdout, /\* 2\.0/);
    assert.match((await cli(['endpoints', 'list'])).stdout, /greeter\s+2\.0\s+1,2\.0/);
    const first = JSON.parse((await cli(['invoke', 'greeter', '--idempotency-key', 'k-1', '--json'])).stdout);
    const retry = JSON.parse((await cli(['invoke', 'greeter', '--idempotency-key', 'k-1', '--json'])).stdout);
    assert.equal(retry.id, first.id);
    assert.equal(retry.replayed, true);
    assert.equal((await t.api('GET', `runs/${first.id}`)).body.publishedPipelineId, v2.id);
    assert.equal((await cli(['endpoints', 'create', 'greeter-2', '--pipeline', v1.id])).code, 0);
    assert.match((await cli(['endpoints', 'show', 'greeter-2'])).stdout, /\* 1 +greet-ep-/);
    for (let attempt = 0; attempt < 2; attempt++) {
      const clash = await cli(['publish', 'pipeline.yml', '--name', 'greet-clash', '--compute', 'azureml:cpu-cluster=local', '--endpoint', 'greeter']);
      assert.equal(clash.code, 1, clash.stderr);
      assert.match(clash.stderr, /pipeline endpoint "greeter" already has version 1/);
    }
    assert.doesNotMatch((await cli(['pipelines', 'list'])).stdout, /greet-clash/, 'a refused publish --endpoint publishes nothing');
  });

  it('finds the local host and its key from the workspace when no URL or key is given', async () => {
    const listed = await cli(['pipelines', 'list', '--json'], { viaWorkspace: true });
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(JSON.parse(listed.stdout).value.length >= 1);
  });

  it('says clearly what is wrong: unknown parameters, missing flags, an unreachable service', async () => {
    const p = JSON.parse((await cli(['publish', 'pipeline.yml', '--name', 'greet-err', '--compute', 'azureml:cpu-cluster=local', '--json'])).stdout);
    const bad = await cli(['invoke', p.id, '--set', 'colour=red']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /inputs\.colour: unknown pipeline input \(known: greeting, times\)/);
    const noName = await cli(['publish', 'pipeline.yml']);
    assert.equal(noName.code, 2);
    assert.match(noName.stderr, /missing --name/);
    const unreachable = await exec(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, 'pipelines', 'list', '--url', 'http://127.0.0.1:9'], {
      env: { ...process.env, TRIBUTARY_API_KEY: 'x'.repeat(20) },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { stderr: string; code: number }) => e,
    );
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /cannot reach Tributary at http:\/\/127\.0\.0\.1:9/);
  });

  it('never prints credentials from the URL or the key in its messages', async () => {
    const key = 'k'.repeat(24);
    const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
      exec(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, ...args], { env: { ...process.env, TRIBUTARY_API_KEY: key, TRIBUTARY_URL: '', ...env } }).then(
        () => ({ code: 0, stderr: '' }),
        (e: { stderr: string; code: number }) => e,
      );
    const cases: [string[], NodeJS.ProcessEnv, RegExp][] = [
      [['pipelines', 'list', '--url', 'http://user:s3cret@127.0.0.1:9'], {}, /http:\/\/\*\*\*@127\.0\.0\.1:9\/: Tributary does not take credentials in the URL; remove "user:password@" and give the API key in TRIBUTARY_API_KEY/],
      [['invoke', 'p', '--url', `http://:${key}@127.0.0.1:9`], {}, /http:\/\/\*\*\*@127\.0\.0\.1:9\/: Tributary does not take credentials/],
      [['pipelines', 'list'], { TRIBUTARY_URL: 'http://user:s3cret@127.0.0.1:9' }, /http:\/\/\*\*\*@127\.0\.0\.1:9\/: Tributary does not take credentials/],
      [['pipelines', 'list', '--url', 'http://127.0.0.1:9/?code=s3cret'], {}, /cannot reach Tributary at http:\/\/127\.0\.0\.1:9\/\?code=\*\*\*/],
      [['pipelines', 'list', '--url', 'ftp://user:s3cret@127.0.0.1:9'], {}, /"ftp:\/\/\*\*\*@127\.0\.0\.1:9" is not an http\(s\) URL/],
    ];
    for (const [args, env, message] of cases) {
      const result = await run(args, env);
      assert.notEqual(result.code, 0, args.join(' '));
      assert.match(result.stderr, message, args.join(' '));
      assert.ok(!result.stderr.includes('s3cret') && !result.stderr.includes(key), `no credential in: ${result.stderr}`);
    }
  });
});
