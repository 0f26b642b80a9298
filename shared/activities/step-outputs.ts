import { readdir, stat } from 'node:fs/promises';
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
    if (!(await hasContent(target))) {
      return { problem: `output "${name}" is empty: the step declared it but wrote nothing to ${target}` };
    }
    folders[name] = folder;
  }
  return { records: await data.persistOutputs(ctx, folders) };
}

async function hasContent(target: string): Promise<boolean> {
  try {
    const info = await stat(target);
    return info.isFile() || (await readdir(target)).length > 0;
  } catch {
    return false;
  }
}
