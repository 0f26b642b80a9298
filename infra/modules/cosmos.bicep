// Cosmos DB for Tributary: a serverless account with local (key) auth turned off, one database,
// the containers the code uses (shared/store/cosmos/containers.ts and
// shared/publish/cosmos/publish-containers.ts: same ids, partition keys, indexes and TTL), and the
// Function App identity as Cosmos DB Built-in Data Contributor (data-plane RBAC).

@description('Cosmos DB account name (globally unique, 3-44 lowercase letters, digits and hyphens).')
param accountName string

param location string

@description('Database the app uses (app setting COSMOS_DATABASE).')
param databaseName string

@description('Principal id of the Function App system-assigned identity.')
param appPrincipalId string

// Listings are keyset-paged newest first: ORDER BY createdAt DESC, id DESC.
var newestFirst = [
  [
    { path: '/createdAt', order: 'descending' }
    { path: '/id', order: 'descending' }
  ]
]

// One line per container, as the code defines them (test/azure/infra-containers.test.ts compares).
// ttl: per-item TTL on with no default expiry (defaultTtl -1): idempotency claims carry their own ttl.
var containers = [
  { id: 'runs', partitionKey: '/runId', ttl: false, compositeIndexes: newestFirst, excludedPaths: [] }
  { id: 'reuse', partitionKey: '/key', ttl: false, compositeIndexes: newestFirst, excludedPaths: [] }
  { id: 'experiments', partitionKey: '/name', ttl: false, compositeIndexes: [], excludedPaths: [] }
  { id: 'pipelines', partitionKey: '/id', ttl: false, compositeIndexes: newestFirst, excludedPaths: [{ path: '/definition/*' }, { path: '/snapshots/*' }] }
  { id: 'pipelineVersions', partitionKey: '/name', ttl: false, compositeIndexes: [], excludedPaths: [] }
  { id: 'endpoints', partitionKey: '/name', ttl: false, compositeIndexes: [], excludedPaths: [] }
  { id: 'idempotency', partitionKey: '/id', ttl: true, compositeIndexes: [], excludedPaths: [] }
]

// Built-in role "Cosmos DB Built-in Data Contributor" (read and write items; no account management).
var dataContributorRoleId = '00000000-0000-0000-0000-000000000002'

resource account 'Microsoft.DocumentDB/databaseAccounts@2024-05-15' = {
  name: accountName
  location: location
  kind: 'GlobalDocumentDB'
  properties: {
    databaseAccountOfferType: 'Standard'
    capabilities: [
      { name: 'EnableServerless' }
    ]
    consistencyPolicy: {
      defaultConsistencyLevel: 'Session'
    }
    locations: [
      {
        locationName: location
        failoverPriority: 0
        isZoneRedundant: false
      }
    ]
    disableLocalAuth: true
    minimalTlsVersion: 'Tls12'
  }
}

resource database 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases@2024-05-15' = {
  parent: account
  name: databaseName
  properties: {
    resource: {
      id: databaseName
    }
  }
}

resource container 'Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers@2024-05-15' = [
  for c in containers: {
    parent: database
    name: c.id
    properties: {
      resource: union(
        {
          id: c.id
          partitionKey: {
            paths: [c.partitionKey]
            kind: 'Hash'
          }
          indexingPolicy: {
            indexingMode: 'consistent'
            automatic: true
            includedPaths: [{ path: '/*' }]
            excludedPaths: concat([{ path: '/"_etag"/?' }], c.excludedPaths)
            compositeIndexes: c.compositeIndexes
          }
        },
        c.ttl ? { defaultTtl: -1 } : {}
      )
    }
  }
]

resource appDataContributor 'Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments@2024-05-15' = {
  parent: account
  name: guid(account.id, appPrincipalId, dataContributorRoleId)
  properties: {
    roleDefinitionId: '${account.id}/sqlRoleDefinitions/${dataContributorRoleId}'
    principalId: appPrincipalId
    scope: account.id
  }
}

@description('Account endpoint (app setting COSMOS_ENDPOINT).')
output endpoint string = account.properties.documentEndpoint
