import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import type { ContainerDefinition } from '@azure/cosmos';
import { PUBLISH_CONTAINERS } from '../../shared/publish/cosmos/publish-containers';
import { CONTAINERS } from '../../shared/store/cosmos/containers';

const ROOT = path.resolve(__dirname, '..', '..', '..');
const NEWEST_FIRST = [[{ path: '/createdAt', order: 'descending' }, { path: '/id', order: 'descending' }]];

/** The containers infra creates: one line each in modules/cosmos.bicep. */
function bicepContainers(): Map<string, { partitionKey: string; ttl: boolean; compositeIndexes: string; excludedPaths: string[] }> {
  const text = readFileSync(path.join(ROOT, 'infra', 'modules', 'cosmos.bicep'), 'utf8');
  const line = /^\s*\{ id: '([^']+)', partitionKey: '([^']+)', ttl: (true|false), compositeIndexes: (newestFirst|\[\]), excludedPaths: \[(.*)\] \}$/gm;
  return new Map(
    [...text.matchAll(line)].map((m) => [m[1]!, { partitionKey: m[2]!, ttl: m[3] === 'true', compositeIndexes: m[4]!, excludedPaths: [...m[5]!.matchAll(/path: '([^']+)'/g)].map((p) => p[1]!) }]),
  );
}

it('infra creates every Cosmos DB container the code uses, with its partition key, indexes and TTL, and no others', () => {
  const code: ContainerDefinition[] = [...Object.values(CONTAINERS), ...Object.values(PUBLISH_CONTAINERS)];
  const infra = bicepContainers();
  assert.deepEqual([...infra.keys()].sort(), code.map((c) => c.id!).sort());
  for (const definition of code) {
    const composite = definition.indexingPolicy?.compositeIndexes;
    if (composite) assert.deepEqual(composite, NEWEST_FIRST, `${definition.id}: infra knows only the newest-first composite index`);
    assert.deepEqual(infra.get(definition.id!), {
      partitionKey: definition.partitionKey!.paths![0],
      ttl: definition.defaultTtl === -1,
      compositeIndexes: composite ? 'newestFirst' : '[]',
      excludedPaths: (definition.indexingPolicy?.excludedPaths ?? []).map((p) => p.path),
    }, definition.id);
  }
});
