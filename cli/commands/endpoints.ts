import { ValidationError } from '../../shared/errors';
import type { PipelineEndpointData } from '../../shared/api/client';
import { needPositional, parseCommand } from '../args';
import { API_OPTIONS, cliApiClient } from '../api-client';
import { table } from '../format';

const USAGE = [
  'tributary endpoints list',
  '                    show <name>',
  '                    create <name> --pipeline ID [--version V] [--description TEXT]',
  '                    add-version <name> --pipeline ID [--version V] [--default]',
  '                    set-default <name> <version>            [--url URL] [--json]',
].join('\n');

function describe(e: PipelineEndpointData): string {
  const versions = e.versions.map((v) => `  ${v.version === e.defaultVersion ? '*' : ' '} ${v.version.padEnd(10)} ${v.pipelineId}`);
  return [`Endpoint  ${e.name}${e.description ? ` — ${e.description}` : ''}`, `Invoke    POST ${e.endpoint}`, 'Versions (* = default)', ...versions, ''].join('\n');
}

/** Pipeline endpoints: a stable name over several published versions, one of them the default. */
export async function endpointsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { ...API_OPTIONS, pipeline: { type: 'string' }, version: { type: 'string' }, description: { type: 'string' }, default: { type: 'boolean' } },
    USAGE,
  );
  const sub = needPositional(positionals, 0, 'subcommand (list, show, create, add-version, set-default)', USAGE);
  const client = cliApiClient(values);
  const show = (e: PipelineEndpointData) => process.stdout.write(values.json ? `${JSON.stringify(e, null, 2)}\n` : describe(e));
  const pipeline = () => {
    if (!values.pipeline) throw new ValidationError(`missing --pipeline ID (a published pipeline id)\nusage: ${USAGE}`, '--pipeline');
    return values.pipeline;
  };
  switch (sub) {
    case 'list': {
      const items: PipelineEndpointData[] = [];
      let continuationToken: string | undefined;
      do {
        const page = await client.listEndpoints({ continuationToken });
        items.push(...page.value);
        continuationToken = page.continuationToken;
      } while (continuationToken);
      if (values.json) process.stdout.write(`${JSON.stringify({ value: items }, null, 2)}\n`);
      else if (items.length === 0) process.stdout.write('No pipeline endpoints. Create one with: tributary endpoints create NAME --pipeline ID\n');
      else process.stdout.write(`${table(['NAME', 'DEFAULT', 'VERSIONS', 'INVOKE'], items.map((e) => [e.name, e.defaultVersion, e.versions.map((v) => v.version).join(','), e.endpoint]))}\n`);
      return 0;
    }
    case 'show':
      show(await client.getEndpoint(needPositional(positionals, 1, 'endpoint name', USAGE)));
      return 0;
    case 'create':
      show(
        await client.createEndpoint({
          name: needPositional(positionals, 1, 'endpoint name', USAGE),
          pipelineId: pipeline(),
          ...(values.version !== undefined ? { version: values.version } : {}),
          ...(values.description !== undefined ? { description: values.description } : {}),
        }),
      );
      return 0;
    case 'add-version':
      show(
        await client.addEndpointVersion(needPositional(positionals, 1, 'endpoint name', USAGE), {
          pipelineId: pipeline(),
          ...(values.version !== undefined ? { version: values.version } : {}),
          makeDefault: Boolean(values.default),
        }),
      );
      return 0;
    case 'set-default':
      show(await client.setEndpointDefault(needPositional(positionals, 1, 'endpoint name', USAGE), needPositional(positionals, 2, 'version', USAGE)));
      return 0;
    default:
      throw new ValidationError(`unknown subcommand "${sub}"\nusage: ${USAGE}`, 'subcommand');
  }
}
