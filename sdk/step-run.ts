import { readFile } from 'node:fs/promises';
import { downloadRun } from '../shared/datastore/blob/download-run';
import { NotFoundError } from '../shared/errors';
import { runMetrics } from '../shared/runs/run-metrics';
import type { StepView } from '../shared/runs/run-view';
import type { MetricRecord, OutputRecord, RunStatus } from '../shared/store/records';
import { attemptPaths } from '../shared/workspace/workspace';
import type { PipelineRun } from './run';
import { withStore } from './workspace';

/** A metric as Azure ML returns it: the value when logged once, every value in order when logged more often. */
export type MetricValue = number | string | (number | string)[];

/** Metrics by name, in the order they were logged. */
export function metricsByName(records: readonly MetricRecord[]): Record<string, MetricValue> {
  const values = new Map<string, (number | string)[]>();
  for (const record of records) values.set(record.name, [...(values.get(record.name) ?? []), record.value]);
  return Object.fromEntries([...values].map(([name, list]) => [name, list.length === 1 ? list[0]! : list]));
}

/**
 * One step of a pipeline run (Azure ML `StepRun`).
 *
 * @example
 * const train = await run.findStepRun('train_knn');
 * console.log(await train.getStatus(), await train.getMetrics());   // Completed { accuracy: 0.96 }
 */
export class StepRun {
  constructor(
    readonly run: PipelineRun,
    readonly name: string,
  ) {}

  async getDetails(): Promise<StepView> {
    const view = await this.run.getDetails();
    const step = view.steps.find((s) => s.name === this.name);
    if (!step) throw new NotFoundError(`run "${this.run.id}" has no step "${this.name}"`, 'step');
    return step;
  }

  async getStatus(): Promise<RunStatus> {
    return (await this.getDetails()).status;
  }

  /** Metrics the step logged through TRIBUTARY_METRICS_FILE. */
  async getMetrics(): Promise<Record<string, MetricValue>> {
    return metricsByName(await withStore(this.run.workspace, (store) => runMetrics(store, this.run.id, this.name)));
  }

  /** Where a completed step's output is kept (Azure ML `get_output_data`). */
  async getOutputData(output: string): Promise<OutputRecord> {
    const step = await this.getDetails();
    const record = step.outputs[output];
    if (!record) {
      const known = Object.keys(step.outputs).join(', ') || 'none yet';
      throw new NotFoundError(`step "${this.name}" of run "${this.run.id}" has no recorded output "${output}" (recorded: ${known})`, 'output');
    }
    return record;
  }

  /**
   * Copies a completed step's output from the datastore into `toDir` (Azure ML
   * `get_output_data(name).download(path)`); returns the local folder holding it.
   */
  async downloadOutput(output: string, toDir: string): Promise<string> {
    await this.getOutputData(output);
    const items = await withStore(this.run.workspace, (store) =>
      downloadRun(this.run.workspace.location, store, { runId: this.run.id, step: this.name, output, to: toDir }),
    );
    return items.find((item) => item.kind === 'output')!.path;
  }

  /**
   * Standard output and error of the step's latest attempt (empty before it starts). A reused
   * step never ran in this run: its logs are those of the step run it reused, as `tributary logs`
   * shows them.
   */
  async getLogs(): Promise<{ stdout: string; stderr: string }> {
    const ran = await withStore(this.run.workspace, async (store) => {
      const record = await store.getStepRun(this.run.id, this.name);
      if (!record?.reused || !record.reusedFrom) return { runId: this.run.id, step: this.name, attempt: record?.attempt ?? 0 };
      const source = await store.getStepRun(record.reusedFrom.runId, record.reusedFrom.step);
      return { runId: record.reusedFrom.runId, step: record.reusedFrom.step, attempt: source?.attempt ?? 1 };
    });
    const paths = attemptPaths(this.run.workspace.location, ran.runId, ran.step, Math.max(ran.attempt, 1));
    const read = (file: string) =>
      readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
        if (err.code === 'ENOENT') return '';
        throw err;
      });
    return { stdout: await read(paths.stdout), stderr: await read(paths.stderr) };
  }
}
