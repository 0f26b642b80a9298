import { readdirSync, statSync } from 'node:fs';
import type { DataPlane, StepDataContext } from '../datastore/data-plane';
import type { StepDefinition } from '../model/definition';
import type { OutputRecord } from '../store/records';
import { outputFolder, type Workspace } from '../workspace/workspace';
import { outputTarget } from './step-job';

/**
 * Checks that a finished step wrote every declared output, then persists them. A declared output
 * left empty fails the step: a consumer or a later reuse must never take nothing as a result.
 */
export async function collectOutputs(
  def: StepDefinition,
  workspace: Workspace,
  data: DataPlane,
  ctx: StepDataContext,
): Promise<{ records: Record<string, OutputRecord> } | { problem: string }> {
  const folders: Record<string, string> = {};
  for (const name of Object.keys(def.outputs)) {
    const folder = outputFolder(workspace, ctx.runId, ctx.step, name);
    const target = outputTarget(def, name, folder);
    if (!hasContent(target)) {
      return { problem: `output "${name}" is empty: the step declared it but wrote nothing to ${target}` };
    }
    folders[name] = folder;
  }
  return { records: await data.persistOutputs(ctx, folders) };
}

/** Synchronous: two metadata calls on a local folder cost less than two trips to the thread pool. */
function hasContent(target: string): boolean {
  const info = statSync(target, { throwIfNoEntry: false });
  if (!info) return false;
  try {
    return info.isFile() || readdirSync(target).length > 0;
  } catch {
    return false;
  }
}
