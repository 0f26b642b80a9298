/** Small builders shared by the reuse tests. */
import type { StepDefinition } from '../../shared/model/definition';
import type { KeyMaterial } from '../../shared/reuse/key-material';
import { SnapshotIndex } from '../../shared/reuse/snapshot-index';
import { snapshotIdOf, type SnapshotManifest } from '../../shared/snapshot/manifest';

export function stepDef(overrides: Partial<StepDefinition> = {}): StepDefinition {
  return {
    name: 'train',
    kind: 'command',
    command: 'python train.py --lr ${{inputs.lr}} --data ${{inputs.data}} --out ${{outputs.model}}',
    codeDir: '/src',
    compute: 'local',
    inputs: {
      lr: { type: 'number', optional: false, binding: { kind: 'literal', type: 'number', value: 0.1 } },
      data: { type: 'uri_folder', optional: false, binding: { kind: 'stepOutput', step: 'prep', output: 'clean' } },
    },
    outputs: { model: { type: 'uri_folder' } },
    environmentVariables: {},
    allowReuse: true,
    retry: { maxAttempts: 1, initialDelaySeconds: 0 },
    origin: 'pipeline.yml:10',
    ...overrides,
  };
}

export function material(overrides: Partial<KeyMaterial> = {}): KeyMaterial {
  return {
    kind: 'command',
    command: 'python train.py --lr 0.1 --data @inputs.data@ --out @outputs.model@',
    inputs: {
      lr: { kind: 'scalar', type: 'number', value: 0.1 },
      data: { kind: 'data', type: 'uri_folder', fingerprint: 'f1', origin: { kind: 'upstream', step: 'prep', output: 'clean', runId: 'run-1' } },
    },
    environment: { variables: {} },
    outputs: { model: 'uri_folder' },
    snapshot: 'a'.repeat(64),
    ...overrides,
  };
}

/** A snapshot index over files given as path → content tag (the tag stands in for a sha256). */
export function snapshot(files: Record<string, string>, modes: Record<string, 0o644 | 0o755> = {}): SnapshotIndex {
  const manifest: SnapshotManifest = {
    schemaVersion: 1,
    files: Object.keys(files)
      .sort()
      .map((path) => ({ path, size: files[path]!.length, sha256: tag(files[path]!), mode: modes[path] ?? 0o644 })),
  };
  return new SnapshotIndex(snapshotIdOf(manifest), manifest);
}

function tag(content: string): string {
  return Buffer.from(content).toString('hex').padEnd(64, '0').slice(0, 64);
}
