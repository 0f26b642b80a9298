/**
 * Reuse through createActivities + LocalDriver in-process (real processes for the steps that
 * run), on the BlobDataPlane with a real Azurite: a DataReference folder of blobs as input,
 * outputs committed to the datastore.
 */
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobDataPlane } from '../../shared/datastore/blob/blob-data-plane';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { openLocalServices, type LocalServices } from '../../shared/local/local-services';
import { LOCAL_MONITOR } from '../../shared/local/run-worker';
import { compilePipelineYaml } from '../../shared/model/yaml/compile';
import { LocalDriver } from '../../shared/orchestration/local-driver';
import { explainStep } from '../../shared/reuse/explain';
import { snapshotSource } from '../../shared/reuse/snapshot-source';
import { checkSubmission, recordRun } from '../../shared/runs/submit-run';
import { localSnapshotStores } from '../../shared/snapshot/local-snapshots';
import { snapshotPipelineSources } from '../../shared/snapshot/snapshot-work-dir';
import { attemptPaths } from '../../shared/workspace/workspace';
import { startTestAzurite, type TestAzurite } from '../support/azurite';

const PIPELINE = `type: pipeline
jobs:
  consume:
    type: command
    command: cat \${{inputs.raw}}/*.csv > \${{outputs.o}}/all.csv
    inputs:
      raw:
        type: uri_folder
        path: azureml://datastores/workspaceblobstore/paths/raw
    outputs:
      o:
        type: uri_folder
  independent:
    type: command
    command: echo same > \${{outputs.o}}/v
    outputs:
      o:
        type: uri_folder
`;

describe('reuse on the blob data plane (createActivities + LocalDriver, Azurite)', () => {
  let azurite: TestAzurite;
  let ds: Datastore;
  let plane: BlobDataPlane;
  let services: LocalServices;
  const blob = (name: string, text: string) => ds.container.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));

  before(async () => {
    azurite = await startTestAzurite();
    ds = await Datastore.get(azurite.workspace);
    await blob('raw/a.csv', '1\n');
    await blob('raw/b.csv', '2\n');
    writeFileSync(path.join(azurite.workspace.root, 'p.yml'), PIPELINE);
    plane = new BlobDataPlane(azurite.workspace);
    services = openLocalServices(azurite.workspace, { data: plane, maxConcurrency: 2 });
  });
  after(async () => {
    await services.close();
    await plane.close().catch(() => undefined);
    await azurite.stop();
  });

  async function runOnce(): Promise<{ id: string; ran: string[] }> {
    const { workspace } = azurite;
    const definition = await compilePipelineYaml(path.join(workspace.root, 'p.yml'), { warn: () => undefined });
    const { store, cache } = localSnapshotStores(workspace);
    const snapshots = await snapshotPipelineSources(definition, { store, cache, warn: () => undefined });
    const run = await recordRun(services.store, checkSubmission({ definition, knownComputes: ['local'] }), { snapshots });
    const summary = await new LocalDriver(services.activities).run({ runId: run.id, monitor: LOCAL_MONITOR });
    assert.equal(summary.status, 'Completed', summary.statusReason);
    const steps = await services.store.listStepRuns(run.id);
    return { id: run.id, ran: steps.filter((s) => !s.reused).map((s) => s.step).sort() };
  }

  const explain = (runId: string, step: string) => explainStep(services.store, snapshotSource(localSnapshotStores(azurite.workspace).store), runId, step);

  it('reuses both steps when nothing changed, without starting an attempt', async () => {
    assert.deepEqual((await runOnce()).ran, ['consume', 'independent']);
    const second = await runOnce();
    assert.deepEqual(second.ran, []);
    assert.ok(!existsSync(attemptPaths(azurite.workspace, second.id, 'consume', 1).workDir));
  });

  it('reruns the consumer when one blob under the DataReference folder changes, and names the blob', async () => {
    await blob('raw/b.csv', '22\n');
    const third = await runOnce();
    assert.deepEqual(third.ran, ['consume']);
    const why = await explain(third.id, 'consume');
    assert.deepEqual(
      why.closest?.differences.map((d) => d.detail),
      ['input raw (azureml://datastores/workspaceblobstore/paths/raw): file b.csv changed (2 → 3 bytes)'],
    );
  });

  it('reruns a step whose committed output is gone from the datastore', async () => {
    const before = await services.store.getStepRun((await runOnce()).id, 'independent');
    const committed = before!.outputs.o!.uri.replace(/^azureml:\/\/datastores\/[^/]+\/paths\//, '');
    for await (const blob of ds.container.listBlobsFlat({ prefix: `${committed}/` })) await ds.container.getBlobClient(blob.name).delete();
    const again = await runOnce();
    assert.deepEqual(again.ran, ['independent']);
    assert.equal((await explain(again.id, 'independent')).reason?.why, 'outputs-missing');
  });
});
