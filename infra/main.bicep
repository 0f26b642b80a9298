// Tributary in Azure: one resource group holds one workspace.
//
//   storage account   host storage (AzureWebJobsStorage: Durable task hub, timers), the app package
//                     container, and the default datastore container (workspaceblobstore)
//   Function App      Flex Consumption (Linux, Node 22), system-assigned identity, package deployed
//                     to the app package container
//   Cosmos DB         run history, reuse index, published pipelines (modules/cosmos.bicep)
//   Log Analytics + Application Insights
//
// The identity reaches storage and Cosmos DB with Entra ID only: shared keys and Cosmos keys are
// off. Flex Consumption supports only the Event Grid blob trigger; Tributary registers no blob
// trigger today. Azure Batch is not deployed: no code reads Batch settings yet.

targetScope = 'resourceGroup'

@description('Region of every resource (must offer Flex Consumption).')
param location string = resourceGroup().location

@description('Prefix of resource names; a hash of the resource group keeps them unique.')
@minLength(3)
@maxLength(11)
param namePrefix string = 'tributary'

@description('Audience(s) the API accepts in Entra ID access tokens, comma-separated: the Application ID URI of the Tributary app registration, e.g. api://<app id>.')
param entraAudience string

@description('Tenant whose Entra ID tokens the API accepts.')
param entraTenantId string = tenant().tenantId

@description('Accepted token issuers, comma-separated; empty: the tenant\'s v2.0 and v1.0 issuers.')
param entraIssuers string = ''

@description('Signing keys URL; empty: the tenant\'s discovery keys.')
param entraJwksUri string = ''

@description('App roles or delegated scopes a caller\'s token must carry one of (comma-separated); define the app role in the app registration and assign it to callers. * lets in any token of the tenant for the audience.')
param entraRoles string = 'Tributary.Access'

@description('Cosmos DB database name.')
param cosmosDatabaseName string = 'tributary'

@description('Blob container of the default datastore (workspaceblobstore).')
param datastoreContainerName string = 'workspaceblobstore'

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@description('Memory per instance (MB).')
@allowed([2048, 4096])
param instanceMemoryMB int = 2048

var suffix = uniqueString(resourceGroup().id)
var names = {
  storage: toLower(take('${replace(namePrefix, '-', '')}${suffix}', 24))
  plan: '${namePrefix}-plan-${suffix}'
  app: '${namePrefix}-${suffix}'
  cosmos: toLower('${namePrefix}-${suffix}')
  logs: '${namePrefix}-logs-${suffix}'
  insights: '${namePrefix}-insights-${suffix}'
}
var packageContainerName = 'app-package'

// Built-in Azure roles for the app identity on the storage account: the host (blob leases, Durable
// queues and tables) needs blob owner, queue and table contributor; blob owner also covers the
// datastore container (Storage Blob Data Contributor would suffice for it alone).
var storageRoles = {
  blobDataOwner: 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b'
  queueDataContributor: '974c5e8b-45b9-4653-ba55-5f855dd0fb88'
  tableDataContributor: '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3'
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: names.storage
  location: location
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    allowBlobPublicAccess: false
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource packageContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: packageContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource datastoreContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: datastoreContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: names.logs
  location: location
  properties: {
    sku: {
      name: 'PerGB2018'
    }
    retentionInDays: 30
  }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: names.insights
  location: location
  kind: 'web'
  properties: {
    Application_Type: 'web'
    WorkspaceResourceId: logs.id
  }
}

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: names.plan
  location: location
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' = {
  name: names.app
  location: location
  kind: 'functionapp,linux'
  identity: {
    type: 'SystemAssigned'
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.properties.primaryEndpoints.blob}${packageContainerName}'
          authentication: {
            type: 'SystemAssignedIdentity'
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
  dependsOn: [
    packageContainer
  ]
}

resource storageRoleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in items(storageRoles): {
    name: guid(storage.id, app.id, role.value)
    scope: storage
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
      principalId: app.identity.principalId
      principalType: 'ServicePrincipal'
    }
  }
]

module cosmos 'modules/cosmos.bicep' = {
  name: 'cosmos'
  params: {
    accountName: names.cosmos
    location: location
    databaseName: cosmosDatabaseName
    appPrincipalId: app.identity.principalId
  }
}

// Every setting the code reads (test/azure/settings-coverage.test.ts checks this list against the
// code). An empty value means "not set". Flex Consumption takes the runtime from functionAppConfig,
// so FUNCTIONS_WORKER_RUNTIME is not an app setting here.
var appSettings = {
  AzureWebJobsStorage__accountName: storage.name
  APPLICATIONINSIGHTS_CONNECTION_STRING: insights.properties.ConnectionString
  COSMOS_ENDPOINT: cosmos.outputs.endpoint
  COSMOS_DATABASE: cosmosDatabaseName
  COSMOS_KEY: '' // keys are off on the account: the app signs in with its managed identity
  COSMOS_CREATE_CONTAINERS: 'false' // modules/cosmos.bicep creates them
  TRIBUTARY_WORKSPACE: '/tmp/tributary'
  TRIBUTARY_LOCAL_COMPUTE: 'false' // instances scale out: a local process cannot be watched from another
  TRIBUTARY_DATASTORE_ACCOUNT_URL: storage.properties.primaryEndpoints.blob
  TRIBUTARY_DATASTORE_CONTAINER: datastoreContainerName
  TRIBUTARY_AUTH: 'entra'
  TRIBUTARY_ENTRA_TENANT_ID: entraTenantId
  TRIBUTARY_ENTRA_AUDIENCE: entraAudience
  TRIBUTARY_ENTRA_ISSUER: entraIssuers
  TRIBUTARY_ENTRA_JWKS_URI: entraJwksUri
  TRIBUTARY_ENTRA_ROLES: entraRoles
}

resource settings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: appSettings
  dependsOn: [
    storageRoleAssignments
    datastoreContainer
  ]
}

output functionAppName string = app.name
output apiUrl string = 'https://${app.properties.defaultHostName}/api'
output storageAccountName string = storage.name
output cosmosEndpoint string = cosmos.outputs.endpoint
output principalId string = app.identity.principalId
