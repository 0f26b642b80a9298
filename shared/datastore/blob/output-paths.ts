/**
 * Where Tributary keeps things on the default datastore — stable, readable paths derived from
 * run, step and output names (all checked by `assertSafeName`):
 *
 *   azureml/<runId>/<step>/outputs/<output>/…       a step output (+ _tributary_complete.json)
 *   azureml/<runId>/<step>/logs/attempt-<N>/…        stdout.log, stderr.log, metrics.jsonl
 *   LocalUpload/<fingerprint>/<name>                 a local-path input, content-addressed
 */
import { assertSafeName } from '../../util/safe-names';

/** The folder Tributary owns on a datastore: run outputs and logs, which it alone writes (and trusts). */
export const RUNS_AREA = 'azureml';

/** True when a blob path is inside `RUNS_AREA`. */
export function inRunsArea(blobPath: string): boolean {
  return blobPath === RUNS_AREA || blobPath.startsWith(`${RUNS_AREA}/`);
}

const OUTPUT_PATH = /^azureml\/([^/]+)\/([^/]+)\/outputs\/([^/]+)$/;

export function outputPath(runId: string, step: string, output: string): string {
  assertSafeName(runId, 'run id');
  assertSafeName(step, 'step name');
  assertSafeName(output, 'output name');
  return `azureml/${runId}/${step}/outputs/${output}`;
}

/** The run, step and output an output path belongs to, or undefined when it is not one. */
export function parseOutputPath(path: string): { runId: string; step: string; output: string } | undefined {
  const match = OUTPUT_PATH.exec(path);
  return match ? { runId: match[1]!, step: match[2]!, output: match[3]! } : undefined;
}

export function stepLogsPath(runId: string, step: string): string {
  assertSafeName(runId, 'run id');
  assertSafeName(step, 'step name');
  return `azureml/${runId}/${step}/logs`;
}

export function attemptLogsPath(runId: string, step: string, attempt: number): string {
  return `${stepLogsPath(runId, step)}/attempt-${attempt}`;
}

export function localUploadPath(fingerprint: string): string {
  return `LocalUpload/${fingerprint}`;
}
