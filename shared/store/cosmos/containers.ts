/**
 * The Cosmos DB layout, designed around the store's real queries:
 *
 * - `runs`, partitioned by run id: the run document, its step runs and its metrics share one
 *   logical partition. Everything an orchestration does (read the run, read/write a step run,
 *   list a run's steps, add metrics) is a point operation or a single-partition query.
 * - `reuse`, partitioned by reuse key: `prepareStep` reads a key by point read.
 * - `experiments`, partitioned by name: one small counter document per experiment.
 *
 * Listing runs (by experiment, pipeline, published pipeline or status) and `listReuseForStep`
 * (for `explain`) are cross-partition queries: they serve people and dashboards, never the
 * orchestration, and are keyset-paged through a composite index so each page is bounded.
 * Infra provisioning the account must create the same containers (data-plane RBAC cannot).
 */
import type { ContainerDefinition } from '@azure/cosmos';

const NEWEST_FIRST = [
  { path: '/createdAt', order: 'descending' as const },
  { path: '/id', order: 'descending' as const },
];

export const CONTAINERS = {
  runs: { id: 'runs', partitionKey: { paths: ['/runId'] }, indexingPolicy: { compositeIndexes: [NEWEST_FIRST] } },
  reuse: { id: 'reuse', partitionKey: { paths: ['/key'] }, indexingPolicy: { compositeIndexes: [NEWEST_FIRST] } },
  experiments: { id: 'experiments', partitionKey: { paths: ['/name'] } },
} satisfies Record<string, ContainerDefinition>;
