import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { echoPipeline, publish, startTestHost, waitForRun, type TestHost } from './helpers';

const run = promisify(execFile);

/**
 * The request Azure ML's docs make with `requests.post(rest_endpoint, headers={"Authorization":
 * "Bearer ..."}, json={"ExperimentName": ..., "ParameterAssignments": {...}})` and then
 * `response.json().get('Id')`, replayed with Python's standard library: a JSON POST (requests'
 * `json=` sets Content-Type: application/json) with a bearer header. The key comes in through the
 * environment, never the command line.
 */
const CLIENT = `
import json, os, sys, urllib.error, urllib.request
rest_endpoint = sys.argv[1]
body = json.loads(sys.argv[2])
request = urllib.request.Request(rest_endpoint, data=json.dumps(body).encode("utf-8"), method="POST",
    headers={"Authorization": "Bearer " + os.environ["AML_KEY"], "Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request) as response:
        print(json.dumps({"status": response.status, "id": json.loads(response.read()).get("Id")}))
except urllib.error.HTTPError as error:
    print(json.dumps({"status": error.code, "error": json.loads(error.read())["error"]}))
`;

describe('HTTP API: the Azure ML Python client request, replayed with the standard library', () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
  });
  after(() => t.close());

  const python = async (endpoint: string, body: unknown) => {
    const { stdout } = await run('python3', ['-c', CLIENT, endpoint, JSON.stringify(body)], { env: { ...process.env, AML_KEY: t.key } });
    return JSON.parse(stdout) as { status: number; id?: string; error?: { code: string; message: string } };
  };

  it('starts a run and reads its Id from the response', async () => {
    const p = await publish(t, echoPipeline('python'));
    const result = await python(p.endpoint, { ExperimentName: 'from-python', ParameterAssignments: { msg: 'py', n: 2 } });
    assert.equal(result.status, 202);
    assert.ok(result.id);
    const finished = await waitForRun(t, result.id);
    assert.equal(finished.status, 'Completed');
    assert.equal(finished.experiment, 'from-python');
    assert.deepEqual(finished.parameters, { msg: 'py', n: 2, x: 0.5, flag: false });
  });

  it('works against a pipeline endpoint URL too, and gets a JSON 400 for an unknown parameter', async () => {
    await publish(t, echoPipeline('python-ep'), { endpoint: 'python-ep' });
    const ok = await python(`${t.url}/api/endpoints/python-ep/runs`, { ExperimentName: 'from-python' });
    assert.equal(ok.status, 202);
    const bad = await python(`${t.url}/api/endpoints/python-ep/runs`, { ExperimentName: 'from-python', ParameterAssignments: { epochs: 3 } });
    assert.equal(bad.status, 400);
    assert.match(bad.error!.message, /inputs\.epochs: unknown pipeline input \(known: msg, n, x, flag\)/);
  });
});
