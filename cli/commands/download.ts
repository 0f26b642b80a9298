import { downloadRun } from '../../shared/datastore/blob/download-run';
import { atMostPositionals, needPositional, parseCommand } from '../args';
import { printJson, withContext } from '../context';
import { table } from '../format';
import { formatBytes } from './datastore';

const USAGE = 'tributary download <runId> [--step S] [--output O] [--to DIR] [--json]';

/** Fetches a run's outputs, logs and metrics from the datastore into `<DIR>/<runId>/` (default: the current folder). */
export async function downloadCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { step: { type: 'string' }, output: { type: 'string' }, to: { type: 'string' } }, USAGE);
  atMostPositionals(positionals, 1, USAGE);
  const runId = needPositional(positionals, 0, 'run id', USAGE);
  return withContext(values.workspace, async (ctx) => {
    const items = await downloadRun(ctx.workspace, ctx.store, { runId, step: values.step, output: values.output, to: values.to ?? '.' });
    if (values.json) {
      printJson(ctx, { items });
      return 0;
    }
    if (items.length === 0) {
      ctx.out.write(`Nothing to download: run ${runId} has no recorded outputs or logs${values.step ? ` for step "${values.step}"` : ''} yet.\n`);
      return 0;
    }
    const rows = items.map((i) => [i.step, i.kind === 'output' ? `output ${i.name}` : `logs ${i.name}`, String(i.files), formatBytes(i.bytes), i.path]);
    ctx.out.write(`${table(['STEP', 'WHAT', 'FILES', 'SIZE', 'SAVED TO'], rows)}\n`);
    return 0;
  });
}
