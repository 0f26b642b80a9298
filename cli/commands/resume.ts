import { ConflictError, NotFoundError } from '../../shared/errors';
import { isLeaseStale } from '../../shared/local/run-worker';
import { startLocalRun } from '../../shared/local/start-local-run';
import { isTerminal } from '../../shared/store/records';
import { atMostPositionals, parseCommand, needPositional } from '../args';
import { printJson, withContext } from '../context';
import { attachToRun } from './watch';

const USAGE = 'tributary resume <runId> [--detach] [--json]';

/** Continues a run whose driver process died: finished steps are kept, the rest run. */
export async function resumeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { detach: { type: 'boolean', short: 'd' } }, USAGE);
  atMostPositionals(positionals, 1, USAGE);
  const runId = needPositional(positionals, 0, 'run id', USAGE);
  return withContext(values.workspace, async (ctx) => {
    const run = await ctx.store.getRun(runId);
    if (!run) throw new NotFoundError(`run "${runId}" does not exist`, 'runId');
    if (isTerminal(run.status)) throw new ConflictError(`run "${runId}" already finished (${run.status}); nothing to resume`, 'runId');
    if (!isLeaseStale(run.driver)) {
      throw new ConflictError(`run "${runId}" is still being driven by process ${run.driver?.pid}; attach with: tributary watch ${runId}`, 'runId');
    }
    await startLocalRun(ctx.workspace, ctx.store, runId);
    if (!values.json) ctx.out.write(`Resuming run ${runId}\n`);
    if (values.detach) {
      if (values.json) printJson(ctx, { id: runId, status: run.status });
      return 0;
    }
    return attachToRun(ctx, runId, Boolean(values.json));
  });
}
