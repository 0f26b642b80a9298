import { ValidationError } from '../../shared/errors';
import type { RunStatus } from '../../shared/store/records';
import { atMostPositionals, parseCommand } from '../args';
import { printJson, withContext } from '../context';
import { colourStatus, formatDuration, table } from '../format';

const USAGE = 'tributary runs [--experiment NAME] [--status STATUS] [--limit N] [--json]';
const STATUSES: RunStatus[] = ['NotStarted', 'Queued', 'Running', 'CancelRequested', 'Completed', 'Failed', 'Canceled'];

export async function runsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { experiment: { type: 'string', short: 'e' }, status: { type: 'string' }, limit: { type: 'string' } },
    USAGE,
  );
  atMostPositionals(positionals, 0, USAGE);
  const status = values.status as RunStatus | undefined;
  if (status && !STATUSES.includes(status)) throw new ValidationError(`--status ${status}: expected one of ${STATUSES.join(', ')}`, '--status');
  const limit = values.limit ? Number(values.limit) : 50;
  return withContext(values.workspace, async (ctx) => {
    const page = await ctx.store.listRuns({ experiment: values.experiment, status, limit });
    const rows = page.items.map((r) => ({
      id: r.id,
      experiment: r.experiment,
      pipelineName: r.pipelineName,
      status: r.status,
      createdAt: r.createdAt,
      durationMs: r.startedAt ? (r.endedAt ? Date.parse(r.endedAt) : Date.now()) - Date.parse(r.startedAt) : undefined,
    }));
    if (values.json) {
      printJson(ctx, { runs: rows, ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) });
      return 0;
    }
    if (rows.length === 0) {
      ctx.out.write('No runs yet. Start one with: tributary run <pipeline.yml>\n');
      return 0;
    }
    ctx.out.write(
      `${table(
        ['RUN', 'EXPERIMENT', 'STATUS', 'CREATED', 'DURATION'],
        rows.map((r) => [r.id, r.experiment, colourStatus(r.status, ctx.tty), r.createdAt.replace('T', ' ').slice(0, 19), formatDuration(r.durationMs)]),
      )}\n`,
    );
    return 0;
  });
}
