import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Router } from '../../shared/api/router';
import { API_ROUTES } from '../../shared/api/routes';

describe('Router (Azure Functions route templates)', () => {
  const router = new Router(Object.values(API_ROUTES));
  const name = (method: string, path: string) => router.match(method, path)?.item.name;

  it('prefers literal segments over parameters over the catch-all', () => {
    assert.equal(name('GET', 'pipelines'), 'listPipelines');
    assert.equal(name('GET', 'pipelines/abc'), 'getPipeline');
    assert.equal(name('POST', 'pipelines/abc/disable'), 'disablePipeline');
    assert.equal(name('POST', 'pipelines/abc/runs'), 'invokePipeline');
    assert.equal(name('GET', 'runs/r1/steps/train/logs'), 'getStepLogs');
    assert.equal(name('GET', 'nothing/here'), 'notFound');
    assert.equal(name('DELETE', 'runs'), 'notFound', 'a known path with another method falls to the catch-all');
  });

  it('extracts and percent-decodes parameters; literals are case-insensitive; a trailing slash is ignored', () => {
    assert.deepEqual(router.match('GET', 'runs/a%20b/steps/st%2Fep/logs')?.params, { id: 'a b', step: 'st/ep' });
    assert.equal(name('GET', 'Runs/x'), 'getRun');
    assert.equal(name('GET', 'runs/'), 'listRuns');
  });

  it('sends malformed escapes and empty segments nowhere, or to the catch-all', () => {
    assert.equal(router.match('GET', 'runs/%E0%A4%A'), undefined);
    assert.equal(name('GET', 'runs//metrics'), 'notFound');
  });

  it('names the methods a path allows', () => {
    const resources = new Router(Object.values(API_ROUTES).filter((r) => r.name !== 'notFound'));
    assert.deepEqual(resources.allowedMethods('pipelines').sort(), ['GET', 'POST']);
    assert.deepEqual(resources.allowedMethods('endpoints/e/default'), ['PUT']);
    assert.deepEqual(resources.allowedMethods('nope'), []);
  });
});
