import { existsSync } from 'node:fs';
import { WaitingWorker } from '../../shared/local/waiting-worker';
import { ensureWorkspace, removeIfEmpty, resolveWorkspace } from '../../shared/workspace/workspace';
import { atMostPositionals, parseCommand, needPositional, parseComputeFlags } from '../args';

const USAGE =
  'tributary run <pipeline.yml> [--set inputs.NAME=VALUE]... [--experiment NAME] [--compute CLOUD_NAME=local]... [--regenerate] [--detach] [--json]';

export async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      set: { type: 'string', multiple: true },
      experiment: { type: 'string', short: 'e' },
      compute: { type: 'string', multiple: true },
      regenerate: { type: 'boolean' },
      detach: { type: 'boolean', short: 'd' },
    },
    USAGE,
  );
  atMostPositionals(positionals, 1, USAGE);
  const file = needPositional(positionals, 0, 'pipeline file', USAGE);
  const json = Boolean(values.json);
  const warn = (msg: string) => process.stderr.write(`warning: ${msg}\n`);
  // The run's worker starts first, so that its start-up overlaps compiling and recording the run.
  // A workspace created for it is removed again if the pipeline is rejected.
  const workspace = resolveWorkspace(values.workspace);
  const newWorkspace = !existsSync(workspace.runsDir);
  const worker = WaitingWorker.start(ensureWorkspace(workspace));
  // Loaded after the worker is on its way.
  const { compilePipelineYamlCached } = require('../../shared/model/yaml/compile-cache') as typeof import('../../shared/model/yaml/compile-cache');
  const { parseSetFlags } = require('../../shared/model/parameters') as typeof import('../../shared/model/parameters');
  const { submitLocalRun } = require('../../shared/local/submit-local-run') as typeof import('../../shared/local/submit-local-run');
  const { describeHostInterpreters } = require('../../shared/compute/local/host-interpreters') as typeof import('../../shared/compute/local/host-interpreters');
  const { printJson, withContext } = require('../context') as typeof import('../context');
  const { attachToRun } = require('./watch') as typeof import('./watch');
  try {
    const compiled = await compilePipelineYamlCached(file, workspace.compileCacheDir, { warn });
    const { definition } = compiled;
    const parameters = parseSetFlags(values.set ?? []);
    const computeMap = parseComputeFlags(values.compute);

    return await withContext(values.workspace, async (ctx) => {
      const run = await submitLocalRun(
        ctx.workspace,
        ctx.store,
        {
          definition,
          experiment: values.experiment,
          parameters,
          parametersSource: '--set',
          options: { computeMap, regenerateOutputs: Boolean(values.regenerate), source: 'cli' },
        },
        warn,
        worker,
      );
      compiled.remember();
      if (!json) {
        ctx.out.write(`Run ${run.id} submitted (experiment "${run.experiment}", ${Object.keys(definition.steps).length} steps)\n`);
        ctx.out.write(`note: ${describeHostInterpreters()}\n`);
      }
      if (values.detach) {
        if (json) printJson(ctx, { id: run.id, status: run.status, experiment: run.experiment });
        else ctx.out.write(`Detached. Follow with: tributary watch ${run.id}\n`);
        return 0;
      }
      return attachToRun(ctx, run.id, json);
    });
  } finally {
    // Without a run (the pipeline was rejected), the waiting worker leaves.
    if (worker.dismiss() && newWorkspace) removeIfEmpty(workspace);
  }
}
