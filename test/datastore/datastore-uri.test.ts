import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ValidationError } from '../../shared/errors';
import { checkDatastorePath, formatDatastoreUri, parseDatastoreUri } from '../../shared/datastore/datastore-uri';

describe('datastore URIs', () => {
  test('parse and format round-trip', () => {
    const uri = 'azureml://datastores/workspaceblobstore/paths/datasets/iris/iris.csv';
    assert.deepEqual(parseDatastoreUri(uri), { datastore: 'workspaceblobstore', path: 'datasets/iris/iris.csv' });
    assert.equal(formatDatastoreUri(parseDatastoreUri(uri)), uri);
  });

  test('a trailing "/" on a folder reference is dropped', () => {
    assert.deepEqual(parseDatastoreUri('azureml://datastores/ds_1/paths/data/'), { datastore: 'ds_1', path: 'data' });
  });

  test('paths may hold spaces, dots, colons and non-ASCII letters', () => {
    for (const ok of ['a b/c.d.e', 'run:2024-01-01/x', 'données/été.csv', '.hidden/file', 'a/..b/c..']) {
      assert.equal(checkDatastorePath(ok, 'path'), ok);
    }
  });

  const badPaths: [string, RegExp][] = [
    ['', /is empty/],
    ['/', /must be relative/],
    ['/abs/path', /must be relative/],
    ['C:/data', /must be relative/],
    ['a/../b', /"\." or "\.\." segment/],
    ['..', /"\." or "\.\." segment/],
    ['a/./b', /"\." or "\.\." segment/],
    ['a/%2e%2e/b', /"\." or "\.\." segment/],
    ['a\\b', /contains "\\"/],
    ['a//b', /empty segment/],
    ['a/b//', /empty segment/],
    ['a\u0000b', /control character/],
    ['a\nb', /control character/],
    ['a\u007fb', /control character/],
    ['a?b', /"\?" or "#"/],
    ['a#b', /"\?" or "#"/],
    ['x'.repeat(255), /segment longer than 254/],
    [`${'a/'.repeat(600)}b`, /longer than 1024/],
  ];
  for (const [value, expected] of badPaths) {
    test(`rejects path ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}, naming the field`, () => {
      assert.throws(
        () => checkDatastorePath(value, '--target-path'),
        (err: unknown) => err instanceof ValidationError && err.target === '--target-path' && err.message.startsWith('--target-path: path ') && expected.test(err.message),
      );
    });
  }

  test('rejects URIs that are not datastore URIs, naming the field', () => {
    for (const uri of ['azureml://datastores/ws/data/x', 'azureml:ws/paths/x', 'https://x/y', 'azureml://datastores//paths/x']) {
      assert.throws(() => parseDatastoreUri(uri, 'inputs.data'), (err: unknown) => err instanceof ValidationError && err.message.startsWith('inputs.data: '));
    }
  });

  test('rejects bad datastore names and bad paths inside URIs', () => {
    assert.throws(() => parseDatastoreUri('azureml://datastores/my-store/paths/x', 'inputs.d'), /inputs\.d: datastore name "my-store" is invalid/);
    assert.throws(() => parseDatastoreUri('azureml://datastores/ws/paths/../secret', 'inputs.d'), /inputs\.d: path "\.\.\/secret" contains a "\." or "\.\." segment/);
    assert.throws(() => parseDatastoreUri('azureml://datastores/ws/paths//etc/passwd', 'inputs.d'), /must be relative/);
  });
});
