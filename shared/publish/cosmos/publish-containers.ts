/**
 * The Cosmos DB layout of the publish store, designed around its queries:
 *
 * - `pipelines`, partitioned by pipeline id: every invocation point-reads its published pipeline.
 *   Listing (by name, status; newest first) is cross-partition and keyset-paged through a
 *   composite index: it serves people, never an invocation.
 * - `pipelineVersions`, partitioned by pipeline name: one small document per (name, version),
 *   `id` = version. Creating it is what makes a version unique per name (a second create is a
 *   409); the next automatic version reads one partition.
 * - `endpoints`, partitioned by endpoint name: point reads and ETag-checked replaces.
 * - `idempotency`, partitioned by claim id (a hash of scope and key, so no endpoint's claims pile
 *   up in one logical partition): a claim is a create-if-absent, or an ETag-checked takeover of an
 *   expired claim. Each claim carries `expiresAt` (expired claims count as absent, whatever the
 *   server does) and a per-item `ttl`, which Cosmos DB honors because the container turns TTL on
 *   (`defaultTtl: -1`: no default expiry); test servers without TTL keep expired claims until purged.
 *
 * Infra provisioning the account must create the same containers (data-plane RBAC cannot).
 */
import type { ContainerDefinition } from '@azure/cosmos';

export const PUBLISH_CONTAINERS = {
  pipelines: {
    id: 'pipelines',
    partitionKey: { paths: ['/id'] },
    indexingPolicy: {
      includedPaths: [{ path: '/*' }],
      compositeIndexes: [
        [
          { path: '/createdAt', order: 'descending' as const },
          { path: '/id', order: 'descending' as const },
        ],
      ],
      excludedPaths: [{ path: '/definition/*' }, { path: '/snapshots/*' }],
    },
  },
  pipelineVersions: { id: 'pipelineVersions', partitionKey: { paths: ['/name'] } },
  endpoints: { id: 'endpoints', partitionKey: { paths: ['/name'] } },
  idempotency: { id: 'idempotency', partitionKey: { paths: ['/id'] }, defaultTtl: -1 },
} satisfies Record<string, ContainerDefinition>;
