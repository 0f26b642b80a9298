import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskFailedError } from 'durable-functions';
import { ComputeRegistry } from '../../functions/durable/compute-registry';
import { activityError } from '../../functions/durable/op-adapter';
import { readSettings } from '../../functions/durable/settings';
import { withTransientRetry } from '../../functions/durable/transient-retry';
import { TransientError, ValidationError } from '../../shared/errors';

const fast = { maxAttempts: 4, initialDelayMs: 1, maxDelayMs: 2 };

describe('transient retry inside activities', () => {
  it('retries transient errors, waiting at least the delay the server asked for', async () => {
    let calls = 0;
    const started = Date.now();
    const result = await withTransientRetry(async () => {
      if (++calls < 3) throw new TransientError('throttled', { retryAfterMs: 40 });
      return 'ok';
    }, fast);
    assert.equal(result, 'ok');
    assert.equal(calls, 3);
    assert.ok(Date.now() - started >= 75, 'waited twice for the 40 ms the server asked for');
  });

  it('never retries a terminal error', async () => {
    let calls = 0;
    await assert.rejects(
      withTransientRetry(async () => {
        calls++;
        throw new ValidationError('bad input');
      }, fast),
      ValidationError,
    );
    assert.equal(calls, 1);
  });

  it('gives up after maxAttempts with a TransientError that says so and keeps the delay', async () => {
    await assert.rejects(withTransientRetry(() => Promise.reject(new TransientError('busy', { retryAfterMs: 1 })), fast), (err: unknown) => {
      assert.ok(err instanceof TransientError);
      assert.equal(err.message, 'busy (still failing after 4 attempts)');
      assert.equal(err.retryAfterMs, 1);
      return true;
    });
  });
});

describe('activity failures as the orchestration sees them', () => {
  it('keeps only the activity message of a legacy "<reason> \\n <details>" failure', () => {
    assert.equal(activityError(new Error('compute "gpu" is not configured \n Error: at stack...')).message, 'compute "gpu" is not configured');
  });

  it('uses the error message of structured failure details', () => {
    const err = new TaskFailedError({ errorType: 'ValidationError', errorMessage: 'input "data" is missing', isNonRetriable: false, isCausedBy: () => false });
    assert.equal(activityError(err).message, 'input "data" is missing');
  });
});

describe('Function App configuration', () => {
  it('names the unknown compute and the configured ones', () => {
    const registry = new ComputeRegistry(new Map());
    assert.throws(() => registry.resolve('azureml:gpu'), /compute "azureml:gpu" is not configured in this Function App \(known: none\)/);
  });

  it('reads the app settings with defaults, and names a missing or malformed one', () => {
    const settings = readSettings({ COSMOS_ENDPOINT: 'https://acct.documents.azure.com:443/' });
    assert.equal(settings.COSMOS_DATABASE, 'tributary');
    assert.equal(settings.COSMOS_KEY, undefined);
    assert.equal(settings.TRIBUTARY_LOCAL_COMPUTE, false);
    assert.throws(() => readSettings({}), (err: unknown) => err instanceof ValidationError && /app setting COSMOS_ENDPOINT/.test(err.message));
    assert.throws(() => readSettings({ COSMOS_ENDPOINT: 'http://plain.example' }), /COSMOS_ENDPOINT/);
    assert.throws(() => readSettings({ COSMOS_ENDPOINT: 'https://a.example/', TRIBUTARY_LOCAL_COMPUTE: 'yes' }), /TRIBUTARY_LOCAL_COMPUTE/);
  });
});
