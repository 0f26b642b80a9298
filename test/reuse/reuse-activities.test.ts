/**
 * Reuse through createActivities + LocalDriver in-process (real processes for steps that run),
 * with a datastore input. The blob data plane does not fingerprint inputs yet, so the datastore
 * here is FolderBackedDatastoreFake: a test double that keeps `azureml://datastores/<ds>/paths/<p>`
 * in a local folder and fingerprints it through the DataPlane port, as the blob plane will.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import type { DataInput, InputFingerprint } from '../../shared/datastore/data-plane';
import { fingerprintLocalTree, LocalFolderDataPlane } from '../../shared/datastore/local-folder-data-plane';
import { openLocalServices } from '../../shared/local/local-services';
import { LOCAL_MONITOR } from '../../shared/local/run-worker';
import { compilePipelineYaml } from '../../shared/model/yaml/compile';
import { LocalDriver } from '../../shared/orchestration/local-driver';
import { explainStep } from '../../shared/reuse/explain';
import { snapshotSource } from '../../shared/reuse/snapshot-source';
import { checkSubmission, recordRun } from '../../shared/runs/submit-run';
import { localSnapshotStores } from '../../shared/snapshot/local-snapshots';
import { snapshotPipelineSources } from '../../shared/snapshot/snapshot-work-dir';
import { attemptPaths, resolveWorkspace } from '../../shared/workspace/workspace';

class FolderBackedDatastoreFake extends LocalFolderDataPlane {
  constructor(private readonly root: string) {
    super();
  }

  private local(input: DataInput): DataInput {
    const m = /^azureml:\/\/datastores\/([^/]+)\/paths\/(.+)$/.exec(input.uri);
    return m ? { ...input, uri: path.join(this.root, m[1]!, m[2]!) } : input;
  }

  override resolveInput(input: DataInput): Promise<string> {
    return super.resolveInput(this.local(input));
  }

  override async fingerprintInput(input: DataInput): Promise<InputFingerprint> {
    const local = this.local(input);
    return local === input ? super.fingerprintInput(input) : fingerprintLocalTree(local.uri);
  }
}

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

describe('reuse with a datastore input (createActivities + LocalDriver)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tributary-reuse-ds-'));
  const blobs = path.join(dir, 'blobs', 'workspaceblobstore', 'raw');
  mkdirSync(blobs, { recursive: true });
  writeFileSync(path.join(blobs, 'a.csv'), '1\n');
  writeFileSync(path.join(blobs, 'b.csv'), '2\n');
  writeFileSync(path.join(dir, 'p.yml'), PIPELINE);
  const workspace = resolveWorkspace(path.join(dir, '.tributary'));
  const services = openLocalServices(workspace, { data: new FolderBackedDatastoreFake(path.join(dir, 'blobs')), maxConcurrency: 2 });
  after(() => services.close());

  async function runOnce(): Promise<{ id: string; ran: string[] }> {
    const definition = await compilePipelineYaml(path.join(dir, 'p.yml'), { warn: () => undefined });
    const { store, cache } = localSnapshotStores(workspace);
    const snapshots = await snapshotPipelineSources(definition, { store, cache, warn: () => undefined });
    const run = await recordRun(services.store, checkSubmission({ definition, knownComputes: ['local'] }), { snapshots });
    const summary = await new LocalDriver(services.activities).run({ runId: run.id, monitor: LOCAL_MONITOR });
    assert.equal(summary.status, 'Completed', summary.statusReason);
    const steps = await services.store.listStepRuns(run.id);
    return { id: run.id, ran: steps.filter((s) => !s.reused).map((s) => s.step).sort() };
  }

  it('reuses both steps when nothing changed, without starting an attempt', async () => {
    const first = await runOnce();
    assert.deepEqual(first.ran, ['consume', 'independent']);
    const second = await runOnce();
    assert.deepEqual(second.ran, []);
    assert.ok(!existsSync(attemptPaths(workspace, second.id, 'consume', 1).dir));
  });

  it('reruns the consumer when one blob under the referenced folder changes, and names it', async () => {
    writeFileSync(path.join(blobs, 'b.csv'), '22\n');
    const third = await runOnce();
    assert.deepEqual(third.ran, ['consume']);
    const why = await explainStep(services.store, snapshotSource(localSnapshotStores(workspace).store), third.id, 'consume');
    assert.deepEqual(
      why.closest?.differences.map((d) => d.detail),
      ['input raw (azureml://datastores/workspaceblobstore/paths/raw): file b.csv changed (2 → 3 bytes)'],
    );
  });
});
