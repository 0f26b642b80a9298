import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Datastore as BlobDatastore } from '../../shared/datastore/blob/datastore';
import { Datastore, Workspace } from '../../sdk';
import { startTestAzurite, type TestAzurite } from '../support/azurite';

describe('SDK Datastore.uploadFiles (delegates to the blob datastore)', () => {
  let azurite: TestAzurite;
  before(async () => (azurite = await startTestAzurite()));
  after(() => azurite.stop());

  it('uploads to the workspace default datastore, keeping existing blobs unless overwrite', async () => {
    const file = path.join(azurite.workspace.root, 'iris.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    const datastore = Datastore.default(new Workspace({ folder: azurite.workspace.root }));
    const first = await datastore.uploadFiles([file], { targetPath: 'datasets/iris' });
    assert.deepEqual([first.uploaded, first.skipped], [['datasets/iris/iris.csv'], []]);
    assert.deepEqual((await datastore.uploadFiles([file], { targetPath: 'datasets/iris' })).skipped, ['datasets/iris/iris.csv']);
    const blob = await BlobDatastore.get(azurite.workspace, 'workspaceblobstore');
    assert.equal((await blob.container.getBlobClient('datasets/iris/iris.csv').downloadToBuffer()).toString('utf8'), 'a,b\n1,2\n');
    assert.deepEqual(datastore.path('datasets/iris').toBinding(), {
      type: 'uri_folder',
      binding: { kind: 'datastorePath', type: 'uri_folder', datastore: 'workspaceblobstore', path: 'datasets/iris' },
    });
  });

  it('rejects arguments of the wrong kind and unknown options before uploading anything', async () => {
    const datastore = Datastore.default(new Workspace({ folder: azurite.workspace.root }));
    const at = 'Datastore(workspaceblobstore).uploadFiles';
    await assert.rejects(datastore.uploadFiles('iris.csv' as never, { targetPath: 'x' }), { name: 'ValidationError', message: `${at}: files: expected a list of file or folder paths, e.g. ['data/iris.csv']` });
    await assert.rejects(datastore.uploadFiles(['iris.csv'], { target_path: 'x' } as never), { name: 'ValidationError', message: /unknown option "target_path" \(did you mean "targetPath"\?\)/ });
    await assert.rejects(datastore.uploadFiles(['iris.csv'], { targetPath: 5 } as never), { name: 'ValidationError', message: /targetPath/ });
  });

  it('needs the workspace', async () => {
    await assert.rejects(new Datastore('workspaceblobstore').uploadFiles(['x']), {
      name: 'ValidationError',
      message: 'Datastore(workspaceblobstore).uploadFiles: the datastore needs its workspace (use Datastore.default(workspace) or new Datastore(name, workspace))',
    });
  });
});
