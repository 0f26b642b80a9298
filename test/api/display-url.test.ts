import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ApiClient, displayUrl } from '../../shared/api/client';
import { ValidationError } from '../../shared/errors';

describe('displayUrl (URLs as messages show them)', () => {
  it('replaces user names, passwords and query values, and leaves other URLs as they are', () => {
    const cases: [string, string][] = [
      ['http://127.0.0.1:7071', 'http://127.0.0.1:7071'],
      ['https://tributary.example.net/api', 'https://tributary.example.net/api'],
      ['http://user:pw@127.0.0.1:7199', 'http://***@127.0.0.1:7199/'],
      ['http://:key@127.0.0.1:7199/api', 'http://***@127.0.0.1:7199/api'],
      ['https://app.example.net/?code=functionkey&x=1', 'https://app.example.net/?code=***&x=***'],
      ['ftp://user:pw@host/?code=1', 'ftp://***@host/?code=***'],
      ['user:pw@host:7199', '***@host:7199'],
      ['http://user:pw@[bad', 'http://***@[bad'],
    ];
    for (const [url, shown] of cases) assert.equal(displayUrl(url), shown, url);
  });

  it('ApiClient refuses credentials in its URL, showing it redacted', () => {
    assert.throws(
      () => new ApiClient({ url: 'http://user:pw@127.0.0.1:7199' }),
      (err: unknown) => err instanceof ValidationError && err.target === 'url' && err.message.startsWith('http://***@127.0.0.1:7199/: Tributary does not take credentials') && !err.message.includes('pw'),
    );
    assert.equal(new ApiClient({ url: 'http://127.0.0.1:7071/api/' }).url, 'http://127.0.0.1:7071');
  });
});
