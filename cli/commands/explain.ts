import { localSnapshotStores } from '../../shared/snapshot/local-snapshots';
import { describeReason, explainStep, type StepExplanation } from '../../shared/reuse/explain';
import type { Difference } from '../../shared/reuse/material-diff';
import { snapshotSource } from '../../shared/reuse/snapshot-source';
import { atMostPositionals, parseCommand, needPositional } from '../args';
import { printJson, withContext } from '../context';

const USAGE = 'tributary explain <runId> <step> [--json]';
/** Differences printed before "… and N more". */
const SHOWN = 20;

export async function explainCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(args, {}, USAGE);
  atMostPositionals(positionals, 2, USAGE);
  const runId = needPositional(positionals, 0, 'run id', USAGE);
  const step = needPositional(positionals, 1, 'step name', USAGE);
  return withContext(values.workspace, async (ctx) => {
    const explained = await explainStep(ctx.store, snapshotSource(localSnapshotStores(ctx.workspace).store), runId, step);
    if (values.json) printJson(ctx, explained);
    else ctx.out.write(`${describeExplanation(explained).join('\n')}\n`);
    return 0;
  });
}

function describeExplanation(e: StepExplanation): string[] {
  const head = `Step ${e.step} of run ${e.runId} (${e.status})`;
  if (e.outcome === 'not-started') return [`${head}: never started, so it neither ran nor reused anything.`];
  if (e.outcome === 'reused') {
    const from = e.reusedFrom ? `run ${e.reusedFrom.runId} (step ${e.reusedFrom.step})` : 'an earlier run';
    return [`${head}: reused the outputs of ${from}; nothing ran.`, ...(e.key ? [`Reuse key  ${e.key}`] : [])];
  }
  if (!e.reason) return [`${head}: ran. It was recorded without reuse details (before reuse was explained), so there is nothing to compare.`];
  const lines = [`${head}: ran.`, `Why        ${describeReason(e.reason)}`];
  if (e.key) lines.push(`Reuse key  ${e.key}${keyScope(e)}`);
  if (!e.closest) {
    lines.push(`No earlier run of step ${e.step} in pipeline ${e.pipelineName} to compare with.`);
    return lines;
  }
  const c = e.closest;
  const status = c.status ? `${c.status}, ` : '';
  lines.push(`Closest earlier run: ${c.runId} (${status}${c.createdAt}; ${e.compared} compared)`);
  lines.push(...describeDifferences(c.differences, c.status));
  return lines;
}

function keyScope(e: StepExplanation): string {
  if (e.observed !== undefined) return ` (snapshot narrowed to ${e.observed} observations of Python sources, plus every other file)`;
  if (e.untracked) return ` (whole snapshot: ${e.untracked})`;
  return '';
}

export function describeDifferences(differences: Difference[], status?: string): string[] {
  if (differences.length === 0) {
    return [status && status !== 'Completed' ? `  nothing in its key differs, but it did not complete (${status}): only completed steps are reused` : '  nothing in its key differs'];
  }
  const lines = differences.slice(0, SHOWN).map((d) => `  - ${d.detail}`);
  if (differences.length > SHOWN) lines.push(`  … and ${differences.length - SHOWN} more`);
  return lines;
}
