import { ValidationError } from '../../shared/errors';
import type { PublishedPipelineData } from '../../shared/api/client';
import { needPositional, parseCommand } from '../args';
import { API_OPTIONS, cliApiClient } from '../api-client';
import { table } from '../format';

const USAGE = 'tributary pipelines list [--name NAME] [--status Active|Disabled] | show <id> | disable <id> | enable <id>   [--url URL] [--json]';

export function describeParameters(parameters: PublishedPipelineData['parameters']): string {
  const items = Object.entries(parameters).map(([name, p]) => `${name} (${p.type}${p.default !== undefined ? `, default ${JSON.stringify(p.default)}` : ''})`);
  return items.length ? items.join(', ') : 'none';
}

/** Published pipelines: list, show, disable, enable. */
export async function pipelinesCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { ...API_OPTIONS, name: { type: 'string' }, status: { type: 'string' } }, USAGE);
  const sub = needPositional(positionals, 0, 'subcommand (list, show, disable, enable)', USAGE);
  const client = cliApiClient(values);
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  switch (sub) {
    case 'list': {
      const items: PublishedPipelineData[] = [];
      let continuationToken: string | undefined;
      do {
        const page = await client.listPipelines({ name: values.name, status: values.status, continuationToken });
        items.push(...page.value);
        continuationToken = page.continuationToken;
      } while (continuationToken);
      if (values.json) print({ value: items });
      else if (items.length === 0) process.stdout.write('No published pipelines. Publish one with: tributary publish <pipeline.yml> --name NAME\n');
      else process.stdout.write(`${table(['ID', 'NAME', 'VERSION', 'STATUS', 'CREATED'], items.map((p) => [p.id, p.name, p.version, p.status, p.createdAt.replace('T', ' ').slice(0, 19)]))}\n`);
      return 0;
    }
    case 'show': {
      const p = await client.getPipeline(needPositional(positionals, 1, 'published pipeline id', USAGE));
      if (values.json) print(p);
      else {
        process.stdout.write(
          [
            `Pipeline    ${p.id}`,
            `Name        ${p.name} version ${p.version}${p.description ? ` — ${p.description}` : ''}`,
            `Status      ${p.status}`,
            `Invoke      POST ${p.endpoint}`,
            `Parameters  ${describeParameters(p.parameters)}`,
            `Steps       ${p.steps.join(', ')}`,
            '',
          ].join('\n'),
        );
      }
      return 0;
    }
    case 'disable':
    case 'enable': {
      const p = await client.setPipelineEnabled(needPositional(positionals, 1, 'published pipeline id', USAGE), sub === 'enable');
      if (values.json) print(p);
      else process.stdout.write(`${p.id} is ${p.status}${p.status === 'Disabled' ? ': invocations are refused and start no run' : ''}\n`);
      return 0;
    }
    default:
      throw new ValidationError(`unknown subcommand "${sub}"\nusage: ${USAGE}`, 'subcommand');
  }
}
