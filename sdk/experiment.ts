import { z } from 'zod';
import { ValidationError } from '../shared/errors';
import { submitLocalRun } from '../shared/local/submit-local-run';
import type { ScalarValue } from '../shared/model/definition';
import { Pipeline } from './pipeline';
import { PipelineRun } from './run';
import { checkName, objectLabel, parseOptions } from './validate';
import { withStore, Workspace } from './workspace';

export interface SubmitOptions {
  /** Values for the pipeline's parameters (JSON types: a number for an integer parameter, ...). */
  pipelineParameters?: Record<string, ScalarValue>;
  /** Run every step even when an earlier run's outputs could be reused (Azure ML `regenerate_outputs`). */
  regenerateOutputs?: boolean;
  /** Compute names the pipeline uses, mapped onto a target here: `{ 'cpu-cluster': 'local' }`. */
  computeMap?: Record<string, string>;
}

const submitSchema = z.strictObject({
  pipelineParameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()], { error: 'expected a string, number or boolean' })).optional(),
  regenerateOutputs: z.boolean().optional(),
  computeMap: z.record(z.string().min(1), z.string().min(1)).optional(),
});

/**
 * A named group of runs in a workspace (Azure ML `Experiment`).
 *
 * @example
 * const experiment = new Experiment(Workspace.fromConfig(), 'iris');
 * const run = await experiment.submit(pipeline, { computeMap: { 'cpu-cluster': 'local' } });
 * await run.waitForCompletion({ showOutput: true });
 */
export class Experiment {
  readonly name: string;

  constructor(
    readonly workspace: Workspace,
    name: string,
  ) {
    const label = objectLabel('Experiment', name);
    if (!(workspace instanceof Workspace)) throw new ValidationError(`${label}: the first argument must be a Workspace`, label);
    this.name = checkName(name, label);
  }

  /** The experiments that have runs in `workspace`. */
  static async list(workspace: Workspace): Promise<Experiment[]> {
    const records = await withStore(workspace, (store) => store.listExperiments());
    return records.map((record) => new Experiment(workspace, record.name));
  }

  /**
   * Validates the pipeline and parameters, snapshots each step's source folder, records the run
   * and starts a background worker that drives it (the same as `tributary run --detach`). The
   * run goes on if this process exits. Warnings (e.g. about snapshots) go to `process.emitWarning`.
   */
  async submit(pipeline: Pipeline, options: SubmitOptions = {}): Promise<PipelineRun> {
    const o = parseOptions(submitSchema, options, 'submit');
    if (!(pipeline instanceof Pipeline)) throw new ValidationError('submit: the first argument must be a Pipeline', 'submit');
    const definition = pipeline.toDefinition();
    const run = await withStore(this.workspace, (store) =>
      submitLocalRun(
        this.workspace.location,
        store,
        {
          definition,
          experiment: this.name,
          parameters: o.pipelineParameters ?? {},
          parametersSource: 'pipelineParameters',
          options: { computeMap: o.computeMap ?? {}, regenerateOutputs: o.regenerateOutputs ?? false, source: 'sdk' },
        },
        (message) => process.emitWarning(message, 'TributaryWarning'),
      ),
    );
    return new PipelineRun(this.workspace, run.id);
  }

  /** This experiment's runs, newest first, read page by page (Azure ML `get_runs`). */
  async *getRuns(): AsyncGenerator<PipelineRun> {
    let continuationToken: string | undefined;
    do {
      const page = await withStore(this.workspace, (store) => store.listRuns({ experiment: this.name, ...(continuationToken ? { continuationToken } : {}) }));
      for (const run of page.items) yield new PipelineRun(this.workspace, run.id);
      continuationToken = page.continuationToken;
    } while (continuationToken);
  }
}
