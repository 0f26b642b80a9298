import { open } from 'node:fs/promises';
import { NotFoundError, ValidationError } from '../../shared/errors';
import { DriverWatch } from '../../shared/local/driver-gone';
import { isTerminal } from '../../shared/store/records';
import type { RunStore } from '../../shared/store/run-store';
import { attemptLogFiles } from '../../shared/workspace/workspace';
import { atMostPositionals, parseCommand, needPositional } from '../args';
import { withContext } from '../context';

const USAGE = 'tributary logs <runId> <step> [--follow] [--attempt N]';
const FOLLOW_POLL_MS = 200;

/** Prints a step's stdout (to stdout) and stderr (to stderr); --follow keeps going until the step ends. */
export async function logsCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, { follow: { type: 'boolean', short: 'f' }, attempt: { type: 'string' } }, USAGE);
  atMostPositionals(positionals, 2, USAGE);
  const runId = needPositional(positionals, 0, 'run id', USAGE);
  const step = needPositional(positionals, 1, 'step name', USAGE);
  return withContext(values.workspace, async (ctx) => {
    const run = await ctx.store.getRun(runId);
    if (!run) throw new NotFoundError(`run "${runId}" does not exist`, 'runId');
    if (!run.definition.steps[step]) {
      throw new NotFoundError(`run "${runId}" has no step "${step}" (steps: ${Object.keys(run.definition.steps).join(', ')})`, 'step');
    }
    const record = await ctx.store.getStepRun(runId, step);
    if (record?.reused && record.reusedFrom) {
      // A reused step never ran here: its logs are those of the run whose outputs it took.
      ctx.err.write(`step "${step}" was reused from run ${record.reusedFrom.runId}; showing that run's logs\n`);
      const passOn = [...(values.workspace ? ['--workspace', values.workspace] : []), ...(values.attempt ? ['--attempt', values.attempt] : [])];
      return logsCommand([record.reusedFrom.runId, record.reusedFrom.step, ...passOn]);
    }
    const runStatus = await ctx.store.getRunStatus(runId);
    if ((record && record.attempt === 0) || (!record && runStatus && isTerminal(runStatus))) {
      const reason = record?.statusReason ?? (runStatus ? `the run ended ${runStatus} first` : undefined);
      ctx.err.write(`step "${step}" never started${reason ? `: ${reason}` : ''}\n`);
      return 0;
    }
    const attempt = values.attempt ? Number(values.attempt) : (record?.attempt || 1);
    if (!Number.isSafeInteger(attempt) || attempt < 1) throw new ValidationError(`--attempt ${values.attempt}: expected a whole number ≥ 1`, '--attempt');
    if (record && attempt > record.attempt && isTerminal(record.status)) {
      const had = record.attempt === 1 ? '1 attempt' : `${record.attempt} attempts`;
      throw new NotFoundError(`step "${step}" of run ${runId} had ${had} (use --attempt 1${record.attempt > 1 ? `..${record.attempt}` : ''})`, '--attempt');
    }
    const paths = attemptLogFiles(ctx.workspace, runId, step, attempt);
    const streams = [new Tail(paths.stdout, ctx.out), new Tail(paths.stderr, ctx.err)];
    // Following stops, saying how to resume, once the process driving the run is gone.
    const driver = new DriverWatch(ctx.store, ctx.workspace, runId);
    for (;;) {
      const current = await ctx.store.getStepRun(runId, step);
      // A step not started yet may still start while the run goes on.
      const finished = current ? isTerminal(current.status) || current.attempt !== attempt : await runEnded(ctx.store, runId);
      for (const s of streams) await s.drain();
      if (!values.follow || finished) return 0;
      await driver.check();
      await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
    }
  });
}

async function runEnded(store: RunStore, runId: string): Promise<boolean> {
  const status = await store.getRunStatus(runId);
  return !status || isTerminal(status);
}

/** Copies whatever was appended to a file since the last call. */
class Tail {
  private offset = 0;
  constructor(
    private readonly file: string,
    private readonly out: NodeJS.WritableStream,
  ) {}

  async drain(): Promise<void> {
    let handle;
    try {
      handle = await open(this.file, 'r');
    } catch {
      return;
    }
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await handle.read(buf, 0, buf.length, this.offset);
        if (bytesRead === 0) return;
        this.offset += bytesRead;
        this.out.write(buf.subarray(0, bytesRead));
      }
    } finally {
      await handle.close();
    }
  }
}
