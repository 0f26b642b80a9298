import { BlobDataPlane } from '../../shared/datastore/blob/blob-data-plane';
import { LOCAL_COMPUTES } from '../../shared/local/submit-local-run';
import { parseSetFlags } from '../../shared/model/parameters';
import { compilePipelineYaml } from '../../shared/model/yaml/compile';
import { planRun, planSnapshots } from '../../shared/reuse/plan';
import { snapshotSource } from '../../shared/reuse/snapshot-source';
import { checkSubmission } from '../../shared/runs/submit-run';
import { localSnapshotStores } from '../../shared/snapshot/local-snapshots';
import { atMostPositionals, needPositional, parseCommand, parseComputeFlags } from '../args';
import { printJson, withContext } from '../context';
import { table } from '../format';
import { describeDifferences } from './explain';

const USAGE = 'tributary plan <pipeline.yml> [--set inputs.NAME=VALUE]... [--compute CLOUD_NAME=local]... [--regenerate] [--json]';

export async function planCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    { set: { type: 'string', multiple: true }, compute: { type: 'string', multiple: true }, regenerate: { type: 'boolean' } },
    USAGE,
  );
  atMostPositionals(positionals, 1, USAGE);
  const file = needPositional(positionals, 0, 'pipeline file', USAGE);
  const warn = (msg: string) => process.stderr.write(`warning: ${msg}\n`);
  const definition = await compilePipelineYaml(file, { warn });
  const checked = checkSubmission({
    definition,
    parameters: parseSetFlags(values.set ?? []),
    parametersSource: '--set',
    options: { computeMap: parseComputeFlags(values.compute) },
    knownComputes: LOCAL_COMPUTES,
  });
  return withContext(values.workspace, async (ctx) => {
    const { store: contents, cache } = localSnapshotStores(ctx.workspace);
    const snapshots = await planSnapshots(definition, { cache, warn: (w) => warn(w.message), excludeFolders: [ctx.workspace.root] });
    // The blob plane reads local paths and datastore URIs alike, so it checks the outputs of runs
    // made with either plane, and fingerprints local inputs exactly as the local-folder plane does.
    const data = new BlobDataPlane(ctx.workspace);
    const steps = await planRun(
      { definition, parameters: checked.parameters, snapshots, regenerate: Boolean(values.regenerate) },
      { store: ctx.store, data, snapshots: snapshotSource(contents) },
    ).finally(() => data.close());
    if (values.json) {
      printJson(ctx, { pipelineName: definition.name, steps });
      return 0;
    }
    const reused = steps.filter((s) => s.action === 'reuse').length;
    ctx.out.write(`Plan for ${definition.name}: ${reused} of ${steps.length} steps would be reused, ${steps.length - reused} would run (nothing was run)\n\n`);
    ctx.out.write(`${table(['STEP', 'PLAN', 'WHY'], steps.map((s) => [s.step, s.action, s.why]))}\n`);
    for (const s of steps.filter((step) => step.closest)) {
      ctx.out.write(`\n${s.step}: closest earlier run ${s.closest!.runId}\n${describeDifferences(s.closest!.differences, s.closest!.status).join('\n')}\n`);
    }
    return 0;
  });
}
