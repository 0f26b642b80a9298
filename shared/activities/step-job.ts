/**
 * Builds what a step's process sees — the step runtime contract (documented in the README):
 * the rendered command, the folder it starts in, and these environment variables:
 *
 *   TRIBUTARY_RUN_ID, TRIBUTARY_EXPERIMENT, TRIBUTARY_STEP, TRIBUTARY_ATTEMPT
 *   TRIBUTARY_INPUT_<NAME>    value or local path of each bound input
 *   TRIBUTARY_OUTPUT_<NAME>   local path of each output (a folder; for uri_file a file in it)
 *   TRIBUTARY_METRICS_FILE    JSON-lines file for metrics: {"name": "...", "value": 0.9, "step": 3}
 *
 * A reusable Python step also gets the read-tracking hook (`python/reads/sitecustomize.py`) first
 * on PYTHONPATH, with TRIBUTARY_READS_FILE / TRIBUTARY_READS_ROOT telling it where to write and
 * which folder to watch (and PYTHONDONTWRITEBYTECODE: the working folder is thrown away anyway).
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { StepJob } from '../compute/compute-target';
import { renderCommand, renderValue } from '../model/command';
import type { StepDefinition } from '../model/definition';
import { tracksReads } from '../reuse/reads';
import type { RunRecord } from '../store/records';
import type { AttemptPaths } from '../workspace/workspace';
import type { ResolvedInput } from './step-inputs';

export function jobId(runId: string, step: string, attempt: number): string {
  return `${runId}.${step}.${attempt}`;
}

/** Local path a step writes an output to: the output folder, or a file named after it for uri_file. */
export function outputTarget(def: StepDefinition, output: string, folder: string): string {
  return def.outputs[output]?.type === 'uri_file' ? path.join(folder, output) : folder;
}

export async function buildStepJob(args: {
  run: RunRecord;
  def: StepDefinition;
  attempt: number;
  paths: AttemptPaths;
  inputs: Record<string, ResolvedInput>;
  /** Output name → local folder. */
  outputs: Record<string, string>;
  pythonHelperDir: string;
}): Promise<StepJob> {
  const { run, def, attempt, paths } = args;
  const inputValues: Record<string, string | number | boolean | undefined> = {};
  const pythonPath = [args.pythonHelperDir, process.env.PYTHONPATH];
  const env: Record<string, string> = {
    TRIBUTARY_RUN_ID: run.id,
    TRIBUTARY_EXPERIMENT: run.experiment,
    TRIBUTARY_STEP: def.name,
    TRIBUTARY_ATTEMPT: String(attempt),
    TRIBUTARY_METRICS_FILE: paths.metrics,
    PYTHONUNBUFFERED: '1',
  };
  if (tracksReads(def)) {
    pythonPath.unshift(path.join(args.pythonHelperDir, 'reads'));
    env.TRIBUTARY_READS_FILE = paths.reads;
    env.TRIBUTARY_READS_ROOT = paths.workDir;
    env.PYTHONDONTWRITEBYTECODE = '1';
  }
  env.PYTHONPATH = pythonPath.filter(Boolean).join(path.delimiter);
  // An optional input left unbound has no value: the $[[ ... ]] sections that use it are dropped.
  for (const name of Object.keys(def.inputs)) inputValues[name] = undefined;
  for (const [name, input] of Object.entries(args.inputs)) {
    const value = input.kind === 'scalar' ? input.value : input.path;
    inputValues[name] = value;
    env[envName('TRIBUTARY_INPUT_', name)] = String(value);
  }
  const outputValues: Record<string, string> = {};
  for (const [name, folder] of Object.entries(args.outputs)) {
    // Asynchronous: a mkdir can wait on the file system's journal, and the worker must not stall with it.
    await mkdir(folder, { recursive: true });
    outputValues[name] = outputTarget(def, name, folder);
    env[envName('TRIBUTARY_OUTPUT_', name)] = outputValues[name]!;
  }
  const values = { inputs: inputValues, outputs: outputValues };
  const variables = Object.fromEntries(
    Object.entries(def.environmentVariables).map(([name, value]) => [name, renderValue(value, values, def.origin, `environment_variables.${name}`)]),
  );
  // The step's folder exists: the attempt's work folder (inside it) was prepared before the job is built.
  return {
    id: jobId(run.id, def.name, attempt),
    runId: run.id,
    step: def.name,
    attempt,
    command: renderCommand(def.command, values, def.origin),
    workingDir: paths.workDir,
    env: { ...variables, ...env },
    stdoutPath: paths.stdout,
    stderrPath: paths.stderr,
    timeoutSeconds: def.timeoutSeconds,
    environment: def.environment,
  };
}

/** `TRIBUTARY_INPUT_` + `raw-data` → `TRIBUTARY_INPUT_RAW_DATA` (environment names cannot hold `-`). */
export function envName(prefix: string, name: string): string {
  return prefix + name.toUpperCase().replace(/-/g, '_');
}
