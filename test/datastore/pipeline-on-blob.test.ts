/**
 * The BlobDataPlane under the real activities and local driver: a two-step pipeline whose first
 * step reads a datastore file and whose second step reads the first one's output.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CopyWorkDir } from '../../shared/activities/work-dir';
import { BlobDataPlane } from '../../shared/datastore/blob/blob-data-plane';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { readManifest } from '../../shared/datastore/blob/manifest';
import { openLocalServices, type LocalServices } from '../../shared/local/local-services';
import { driveRun } from '../../shared/local/run-worker';
import { compilePipelineYaml } from '../../shared/model/yaml/compile';
import { submitRun } from '../../shared/runs/submit-run';
import { outputFolder } from '../../shared/workspace/workspace';
import { startTestAzurite, type TestAzurite } from '../support/azurite';

const PIPELINE = `
type: pipeline
display_name: blob-handover
inputs:
  raw:
    type: uri_file
    path: azureml://datastores/workspaceblobstore/paths=RAW
jobs:
  prep:
    type: command
    command: tr a-z A-Z < \${{inputs.raw}} > \${{outputs.clean}}/clean.txt
    inputs:
      raw: \${{parent.inputs.raw}}
    outputs:
      clean:
        type: uri_folder
  train:
    type: command
    command: cat \${{inputs.clean}}/clean.txt > \${{outputs.model}}/model.txt && echo trained
    inputs:
      clean: \${{parent.jobs.prep.outputs.clean}}
    outputs:
      model:
        type: uri_folder
`;

let azurite: TestAzurite;
let services: LocalServices;
let plane: BlobDataPlane;
before(async () => {
  azurite = await startTestAzurite();
  plane = new BlobDataPlane(azurite.workspace);
  services = openLocalServices(azurite.workspace, { data: plane, workDirs: new CopyWorkDir() });
  const ds = await Datastore.get(azurite.workspace);
  const raw = path.join(azurite.workspace.root, 'raw.txt');
  writeFileSync(raw, 'hello blob\n');
  await ds.uploadFiles([raw], { targetPath: 'raw' });
});
after(async () => {
  await services.close();
  await plane.close();
  await azurite.stop();
});

async function runPipeline(rawPath: string): Promise<{ runId: string; status: string; reason?: string }> {
  const dir = path.join(azurite.workspace.root, 'pipelines', rawPath.replace(/\W/g, '_'));
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'pipeline.yml'), PIPELINE.replace('paths=RAW', `paths/${rawPath}`));
  const definition = await compilePipelineYaml(path.join(dir, 'pipeline.yml'), { warn: () => undefined });
  const run = await submitRun(services.store, { definition, knownComputes: services.computes.known(), experiment: 'blob_plane' });
  const summary = await driveRun(services, run.id);
  return { runId: run.id, status: summary.status, ...(summary.statusReason ? { reason: summary.statusReason } : {}) };
}

describe('a pipeline on the BlobDataPlane', () => {
  test('datastore input → step → output → next step, outputs committed on the datastore', async () => {
    const { runId, status, reason } = await runPipeline('raw/raw.txt');
    assert.equal(status, 'Completed', reason);
    const train = await services.store.getStepRun(runId, 'train');
    assert.ok(train?.command?.includes(outputFolder(azurite.workspace, runId, 'prep', 'clean')), `train read the producer's folder directly: ${train?.command}`);
    const prep = await services.store.getStepRun(runId, 'prep');
    await plane.flush(runId, [...Object.values(prep!.outputs), ...Object.values(train!.outputs)]);
    const ds = await Datastore.get(azurite.workspace);
    const manifest = await readManifest(ds.container, `azureml/${runId}/train/outputs/model`);
    assert.deepEqual(manifest?.files.map((f) => f.path), ['model.txt']);
    assert.equal((await ds.container.getBlobClient(`azureml/${runId}/train/outputs/model/model.txt`).downloadToBuffer()).toString(), 'HELLO BLOB\n');
    assert.equal(train?.outputs.model?.uri, `azureml://datastores/workspaceblobstore/paths/azureml/${runId}/train/outputs/model`);
  });

  test('a missing input blob fails the step before it starts, naming the path', async () => {
    const { runId, status, reason } = await runPipeline('raw/missing.txt');
    assert.equal(status, 'Failed');
    assert.match(reason ?? '', /azureml:\/\/datastores\/workspaceblobstore\/paths\/raw\/missing\.txt does not exist/);
    const prep = await services.store.getStepRun(runId, 'prep');
    assert.equal(prep?.startedAt, undefined, 'the step never started');
  });
});
