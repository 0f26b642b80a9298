import { NotFoundError } from '../../shared/errors';
import { LocalRunLauncher } from '../../shared/local/local-run-launcher';
import { isTerminal } from '../../shared/store/records';
import { atMostPositionals, parseCommand, needPositional } from '../args';
import { printJson, withContext } from '../context';

const USAGE = 'tributary cancel <runId> [--json]';

/** Asks the run's driver to stop: running steps get TERM (then KILL), nothing new starts. */
export async function cancelCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {}, USAGE);
  atMostPositionals(positionals, 1, USAGE);
  const runId = needPositional(positionals, 0, 'run id', USAGE);
  return withContext(values.workspace, async (ctx) => {
    if (!(await ctx.store.getRun(runId))) throw new NotFoundError(`run "${runId}" does not exist`, 'runId');
    await new LocalRunLauncher(ctx.workspace, ctx.store).cancel(runId, 'canceled by user');
    const run = (await ctx.store.getRun(runId))!;
    if (values.json) printJson(ctx, { id: run.id, status: run.status });
    else if (isTerminal(run.status)) ctx.out.write(`Run ${runId} already finished: ${run.status}\n`);
    else ctx.out.write(`Cancel requested for run ${runId}; follow with: tributary watch ${runId}\n`);
    return 0;
  });
}
