import assert from 'node:assert/strict';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { datastoreProblem } from '../../shared/model/parameters';
import { DataReference, Datastore, PipelineData, PipelineParameter, Workspace } from '../../sdk';
import { tempFolder, throwsValidation } from './support';

describe('Datastore', () => {
  it('defaults to workspaceblobstore and keeps the workspace', () => {
    const ws = new Workspace({ folder: '/tmp/tributary-sdk-ws' });
    const ds = Datastore.default(ws);
    assert.equal(ds.name, 'workspaceblobstore');
    assert.equal(ds.workspace, ws);
    assert.equal(ws.getDefaultDatastore().name, 'workspaceblobstore');
  });

  it('path() makes a DataReference named after the last segment unless named', () => {
    const ds = new Datastore('archive');
    const ref = ds.path('iris/raw data.csv');
    assert.equal(ref.dataReferenceName, 'raw_data_csv');
    assert.equal(ref.datastoreName, 'archive');
    assert.equal(ref.pathOnDatastore, 'iris/raw data.csv');
    assert.equal(ds.path('x/1.csv').dataReferenceName, '_1_csv');
    assert.equal(ds.path('x', 'named', { isFile: true }).isFile, true);
  });

  it('rejects an empty name', () => {
    throwsValidation(() => new Datastore(''), 'Datastore: the name must be a non-empty string, got ""');
  });
});

describe('DataReference', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  before(async () => ({ dir, cleanup } = await tempFolder({ 'iris.csv': 'a,b\n' })));
  after(() => cleanup());

  it('binds a datastore path as uri_folder, or uri_file with isFile', () => {
    const ref = new DataReference({ datastore: Datastore.default(), pathOnDatastore: 'iris/raw', dataReferenceName: 'raw' });
    assert.equal(ref.mode, 'mount');
    assert.deepEqual(ref.toBinding(), { type: 'uri_folder', binding: { kind: 'datastorePath', type: 'uri_folder', datastore: 'workspaceblobstore', path: 'iris/raw' } });
    const file = new DataReference({ datastore: 'archive', pathOnDatastore: 'a.csv', isFile: true, mode: 'download' });
    assert.deepEqual(file.toBinding(), { type: 'uri_file', binding: { kind: 'datastorePath', type: 'uri_file', datastore: 'archive', path: 'a.csv' } });
  });

  it('binds a local path absolutely, typed from what is on disk', () => {
    const relative = path.relative(process.cwd(), path.join(dir, 'iris.csv'));
    const file = new DataReference({ localPath: relative, dataReferenceName: 'raw' });
    assert.equal(file.localPath, path.join(dir, 'iris.csv'));
    assert.deepEqual(file.toBinding(), { type: 'uri_file', binding: { kind: 'localPath', type: 'uri_file', path: path.join(dir, 'iris.csv') } });
    assert.deepEqual(new DataReference({ localPath: dir }).toBinding(), { type: 'uri_folder', binding: { kind: 'localPath', type: 'uri_folder', path: dir } });
    assert.deepEqual(new DataReference({ localPath: path.join(dir, 'nope'), dataReferenceName: 'gone' }).toBinding(), {
      problem: `DataReference "gone": local path ${path.join(dir, 'nope')} does not exist`,
    });
  });

  // The path rules themselves belong to shared/datastore; the SDK must apply them and name the object.
  for (const p of ['../secrets', 'a/%2E%2E/b', '/etc/passwd', 'a\\b', 'a\u0000b', '', 'a//b']) {
    it(`rejects pathOnDatastore ${JSON.stringify(p)}`, () => {
      const why = datastoreProblem('blob', p);
      assert.ok(why);
      throwsValidation(
        () => new DataReference({ datastore: 'blob', pathOnDatastore: p, dataReferenceName: 'raw' }),
        `DataReference(raw): ${why} (datastore "blob", pathOnDatastore ${JSON.stringify(p)})`,
        'DataReference(raw)',
      );
    });
  }

  it('keeps a folder path without its trailing "/"', () => {
    assert.equal(new DataReference({ datastore: 'blob', pathOnDatastore: 'data/iris/', dataReferenceName: 'raw' }).pathOnDatastore, 'data/iris');
  });

  it('rejects a bad datastore name, mixed forms and unknown options', () => {
    throwsValidation(
      () => new DataReference({ datastore: 'my-store', pathOnDatastore: 'x', dataReferenceName: 'raw' }),
      'DataReference(raw): datastore name "my-store" is invalid (use letters, digits and "_") (datastore "my-store", pathOnDatastore "x")',
    );
    throwsValidation(
      () => new DataReference({ datastore: 'blob', localPath: '/x', dataReferenceName: 'raw' }),
      'DataReference(raw): give either datastore and pathOnDatastore, or localPath',
    );
    throwsValidation(() => new DataReference({ dataReferenceName: 'raw' }), 'DataReference(raw): give either datastore and pathOnDatastore, or localPath');
    throwsValidation(() => new DataReference({ datastore: 'blob', dataReferenceName: 'raw' }), 'DataReference(raw): a datastore reference needs both datastore and pathOnDatastore');
    throwsValidation(
      () => new DataReference({ localPath: dir, isFile: true, dataReferenceName: 'raw' }),
      'DataReference(raw).isFile: applies to datastore paths; a local path is looked at on disk',
    );
    const snake = { datastore: 'blob', path_on_datastore: 'x', dataReferenceName: 'raw' } as never;
    throwsValidation(() => new DataReference(snake), 'DataReference(raw): unknown option "path_on_datastore" (did you mean "pathOnDatastore"?)');
    throwsValidation(
      () => new DataReference({ localPath: dir, dataReferenceName: 'raw data' }),
      'DataReference(raw data).dataReferenceName: invalid name "raw data" (use letters, digits, "_" and "-", starting with a letter or "_")',
    );
  });
});

describe('PipelineData', () => {
  it('is a folder output by default, a file with isFile; mount is recorded as rw_mount', () => {
    assert.deepEqual(new PipelineData('prepared').outputSpec(), { type: 'uri_folder' });
    assert.deepEqual(new PipelineData('model', { isFile: true, outputMode: 'mount' }).outputSpec(), { type: 'uri_file', mode: 'rw_mount' });
    assert.deepEqual(new PipelineData('model', { outputMode: 'upload', datastore: Datastore.default() }).outputSpec(), { type: 'uri_folder', mode: 'upload' });
  });

  it('rejects bad names, other datastores and bad asInput names', () => {
    throwsValidation(() => new PipelineData('my data'), 'PipelineData(my data): invalid name "my data" (use letters, digits, "_" and "-", starting with a letter or "_")');
    throwsValidation(
      () => new PipelineData('out', { datastore: 'archive' }),
      'PipelineData(out).datastore: outputs can only go to the default datastore "workspaceblobstore" so far, got "archive" (leave datastore out)',
      'PipelineData(out).datastore',
    );
    throwsValidation(
      () => new PipelineData('out').asInput('2nd'),
      'PipelineData(out).asInput: invalid name "2nd" (use letters, digits, "_" and "-", starting with a letter or "_")',
    );
    throwsValidation(() => new PipelineData('out', { isFile: 'yes' } as never), 'PipelineData(out).isFile: Invalid input: expected boolean, received string');
  });
});

describe('PipelineParameter', () => {
  const inferred: [string | number | boolean, string][] = [
    [200, 'integer'],
    [0.5, 'number'],
    ['adam', 'string'],
    [false, 'boolean'],
  ];
  for (const [value, type] of inferred) {
    it(`infers ${type} from ${JSON.stringify(value)}`, () => {
      const p = new PipelineParameter({ name: 'p', defaultValue: value });
      assert.equal(p.type, type);
      assert.deepEqual(p.toInputSpec(), { type, default: value });
    });
  }

  it('takes an explicit type that fits the default', () => {
    assert.equal(new PipelineParameter({ name: 'lr', defaultValue: 1, type: 'number' }).type, 'number');
    assert.deepEqual(new PipelineParameter({ name: 'lr', defaultValue: 1, type: 'number', description: 'step size' }).toInputSpec(), {
      type: 'number',
      default: 1,
      description: 'step size',
    });
  });

  it('rejects defaults of another type, bad names and non-finite numbers', () => {
    throwsValidation(
      () => new PipelineParameter({ name: 'epochs', defaultValue: 2.5, type: 'integer' }),
      'PipelineParameter(epochs).defaultValue: default 2.5 is not of type integer',
      'PipelineParameter(epochs).defaultValue',
    );
    throwsValidation(() => new PipelineParameter({ name: 'n', defaultValue: '3', type: 'integer' }), 'PipelineParameter(n).defaultValue: default "3" is not of type integer');
    throwsValidation(() => new PipelineParameter({ name: 'flag', defaultValue: 1, type: 'boolean' }), 'PipelineParameter(flag).defaultValue: default 1 is not of type boolean');
    throwsValidation(() => new PipelineParameter({ name: 'x', defaultValue: Number.NaN }), 'PipelineParameter(x).defaultValue: expected a string, a finite number or a boolean');
    throwsValidation(
      () => new PipelineParameter({ name: 'bad name', defaultValue: 1 }),
      'PipelineParameter(bad name).name: invalid name "bad name" (use letters, digits, "_" and "-", starting with a letter or "_")',
    );
    throwsValidation(
      () => new PipelineParameter({ name: 'x', default_value: 1 } as never),
      '2 problems:\n  - PipelineParameter(x).defaultValue: expected a string, a finite number or a boolean\n  - PipelineParameter(x): unknown option "default_value" (did you mean "defaultValue"?)',
    );
  });
});
