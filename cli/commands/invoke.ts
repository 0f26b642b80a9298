import { NotFoundError } from '../../shared/errors';
import { parseSetFlags } from '../../shared/model/parameters';
import { needPositional, parseCommand } from '../args';
import { API_OPTIONS, cliApiClient } from '../api-client';

const USAGE = 'tributary invoke <published-pipeline-id|endpoint-name> [--set NAME=VALUE]... [--experiment NAME] [--version V] [--idempotency-key KEY] [--url URL] [--json]';

/** Starts a run through a published pipeline's or an endpoint's REST endpoint, as any HTTP client would. */
export async function invokeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      ...API_OPTIONS,
      set: { type: 'string', multiple: true },
      experiment: { type: 'string', short: 'e' },
      version: { type: 'string' },
      'idempotency-key': { type: 'string' },
    },
    USAGE,
  );
  const name = needPositional(positionals, 0, 'published pipeline id or endpoint name', USAGE);
  const client = cliApiClient(values);
  const request = {
    ...(values.experiment !== undefined ? { ExperimentName: values.experiment } : {}),
    ParameterAssignments: parseSetFlags(values.set ?? []),
    ...(values.version !== undefined ? { PipelineVersion: values.version } : {}),
  };
  // A published pipeline id when there is one by that name, else an endpoint name.
  const target = await client.getPipeline(name).then(
    () => ({ pipeline: name }),
    (err: unknown) => {
      if (err instanceof NotFoundError) return { endpoint: name };
      throw err;
    },
  );
  const result = await client.invoke(target, request, values['idempotency-key']);
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ id: result.Id, status: result.Status, statusUrl: result.StatusUrl, replayed: result.replayed, ...(result.Warnings ? { warnings: result.Warnings } : {}) }, null, 2)}\n`);
    return 0;
  }
  for (const warning of result.Warnings ?? []) process.stderr.write(`warning: ${warning}\n`);
  process.stdout.write(`${result.replayed ? 'Already started by an earlier request with this key' : 'Started'}: run ${result.Id} (${result.Status})\n  status  ${result.StatusUrl}\n  follow  tributary watch ${result.Id}\n`);
  return 0;
}
