import { mapComputes } from '../../shared/runs/submit-run';
import { compilePipelineYaml } from '../../shared/model/yaml/compile';
import { ValidationError } from '../../shared/errors';
import { datastoreSnapshotStores, publishDefinition } from '../../shared/api/publish-sources';
import { resolveWorkspace } from '../../shared/workspace/workspace';
import { needPositional, parseCommand, parseComputeFlags } from '../args';
import { API_OPTIONS, cliApiClient } from '../api-client';
import { describeParameters } from './pipelines';

const USAGE =
  'tributary publish <pipeline.yml> --name NAME [--version V] [--description TEXT] [--endpoint NAME [--default]] [--compute CLOUD_NAME=local]... [--datastore NAME] [--url URL] [--json]';

/**
 * Compiles a pipeline YAML here and publishes it to a Tributary (local or remote) behind a REST
 * endpoint. A server that cannot read this machine's folders gets the step sources uploaded to
 * the datastore first (`--datastore`, default workspaceblobstore: register it against the
 * storage account the server uses).
 */
export async function publishCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      ...API_OPTIONS,
      name: { type: 'string', short: 'n' },
      version: { type: 'string' },
      description: { type: 'string' },
      endpoint: { type: 'string' },
      default: { type: 'boolean' },
      compute: { type: 'string', multiple: true },
      datastore: { type: 'string' },
    },
    USAGE,
  );
  const file = needPositional(positionals, 0, 'pipeline file', USAGE);
  if (!values.name) throw new ValidationError(`missing --name (the published pipeline's name)\nusage: ${USAGE}`, '--name');
  if (values.default && !values.endpoint) throw new ValidationError('--default needs --endpoint NAME', '--default');
  const definition = mapComputes(
    await compilePipelineYaml(file, { warn: (message) => process.stderr.write(`warning: ${message}\n`) }),
    parseComputeFlags(values.compute),
  );
  const workspace = resolveWorkspace(values.workspace);
  const request = {
    name: values.name,
    definition,
    ...(values.version !== undefined ? { version: values.version } : {}),
    ...(values.description !== undefined ? { description: values.description } : {}),
    ...(values.endpoint !== undefined ? { endpoint: values.endpoint, makeDefault: Boolean(values.default) } : {}),
  };
  const published = await publishDefinition(cliApiClient(values), request, {
    workspace,
    stores: () => datastoreSnapshotStores(workspace, values.datastore),
    warn: (message) => process.stderr.write(`warning: ${message}\n`),
  });
  if (values.json) {
    process.stdout.write(`${JSON.stringify(published, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `Published "${published.name}" version ${published.version} as ${published.id}`,
    `  invoke      POST ${published.endpoint}`,
    `  parameters  ${describeParameters(published.parameters)}`,
  ];
  const endpoint = published.pipelineEndpoint;
  if (endpoint) lines.push(`  endpoint    ${endpoint.name} (default version ${endpoint.defaultVersion}): POST ${endpoint.endpoint}`);
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}
