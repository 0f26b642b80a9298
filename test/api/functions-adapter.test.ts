import assert from 'node:assert/strict';
import { HttpRequest, HttpResponse, InvocationContext } from '@azure/functions';
import { after, before, describe, it } from 'node:test';
import { composeHttp } from '../../functions/http/composition';
import { loadHttpFunctions } from '../../host/http-functions';
import { API_ROUTES } from '../../shared/api/routes';
import { echoPipeline, publish, startTestHost, type TestHost } from './helpers';

const HTTP_FUNCTIONS = loadHttpFunctions();

/**
 * The registrations as the Functions worker calls them in Azure without HTTP streams: a buffered
 * HttpRequest with route params, services from `composeHttp`, the handler's HttpResponseInit.
 */
describe('functions/http registrations (Azure Functions handlers)', () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost();
    composeHttp(() => t.host.local.services);
  });
  after(() => t.close());

  const fn = (name: string) => {
    const found = HTTP_FUNCTIONS.find((f) => f.name === name);
    assert.ok(found, name);
    return found.options;
  };

  it('registers one function per route, anonymous at the Functions level (the API authenticates), with the Durable client input', () => {
    assert.deepEqual(HTTP_FUNCTIONS.map((f) => f.name).sort(), Object.keys(API_ROUTES).sort());
    for (const f of HTTP_FUNCTIONS) {
      assert.equal(f.options.authLevel, 'anonymous');
      assert.deepEqual(f.options.extraInputs?.map((i) => i.type), ['durableClient'], f.name);
    }
    assert.equal(fn('invokePipeline').route, 'pipelines/{id}/runs');
  });

  it('invokes a published pipeline from a buffered request and answers 202 with Id and Location', async () => {
    const p = await publish(t, echoPipeline('functions'));
    const request = new HttpRequest({
      method: 'POST',
      url: `https://tributary.example.net/api/pipelines/${p.id}/runs`,
      headers: { authorization: `Bearer ${t.key}`, 'content-type': 'application/json' },
      body: { string: JSON.stringify({ ExperimentName: 'azure', ParameterAssignments: { n: 2 } }) },
      params: { id: p.id },
    });
    const result = await fn('invokePipeline').handler(request, new InvocationContext({ functionName: 'invokePipeline' }));
    const response = result instanceof HttpResponse ? result : new HttpResponse(result ?? {});
    assert.equal(response.status, 202);
    const body: any = await response.json();
    assert.match(body.Id, /^azure_/);
    assert.equal(response.headers.get('location'), `https://tributary.example.net/api/runs/${body.Id}`);
  });

  it('answers 401 in the error shape, and a 500 with a correlation id when nothing was composed', async () => {
    const request = new HttpRequest({ method: 'GET', url: 'https://tributary.example.net/api/runs', params: {} });
    const denied = await fn('listRuns').handler(request, new InvocationContext());
    assert.equal((denied as { status: number }).status, 401);
    composeHttp(() => Promise.reject(new Error('no Cosmos here')));
    try {
      const errors: string[] = [];
      const context = new InvocationContext({ logHandler: (_level, ...args) => errors.push(args.join(' ')) });
      const failed = (await fn('listRuns').handler(request, context)) as { status: number; jsonBody: { error: { message: string; correlationId: string } } };
      assert.equal(failed.status, 500);
      assert.ok(!failed.jsonBody.error.message.includes('Cosmos'));
      assert.ok(errors.some((e) => e.includes(failed.jsonBody.error.correlationId) && e.includes('no Cosmos here')));
    } finally {
      composeHttp(() => t.host.local.services);
    }
  });
});
