import { statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { ProblemList } from '../../shared/errors';
import type { StepDefinition } from '../../shared/model/definition';
import { PipelineParameter } from '../parameters';
import { objectLabel, parseOptions, safeName } from '../validate';
import { StepPorts } from './ports';
import { relativeFile } from './python-script-step';
import { checkFolder, runSettings, Step, stepShape, type StepCompileContext, type StepInput, type StepOptions } from './step';

export interface DatabricksStepOptions extends StepOptions {
  /** Workspace path of a notebook to run (`/Users/me/prep`). One of notebookPath, pythonScriptPath, pythonScriptName. */
  notebookPath?: string;
  /** Notebook widgets: fixed values or parameters chosen per submission. */
  notebookParams?: Record<string, string | number | PipelineParameter>;
  /** A Python file already on DBFS (`dbfs:/scripts/train.py`). */
  pythonScriptPath?: string;
  /** A Python file in `sourceDirectory`, uploaded with it. */
  pythonScriptName?: string;
  sourceDirectory?: string;
  /** Command-line arguments of a Python task. */
  pythonScriptParams?: (string | number)[];
  /** Run on this existing cluster; otherwise give sparkVersion, nodeType and numWorkers for a new one. */
  existingClusterId?: string;
  sparkVersion?: string;
  nodeType?: string;
  numWorkers?: number;
  /** Name of the Databricks run (default: the step name). */
  runName?: string;
  timeoutSeconds?: number;
}

const word = z.string().min(1);
const optionsSchema = z.strictObject({
  ...stepShape,
  notebookPath: word.startsWith('/', { error: 'must be a workspace path starting with "/"' }).optional(),
  notebookParams: z.record(safeName, z.union([z.string(), z.number(), z.instanceof(PipelineParameter)], { error: 'expected a string, number or PipelineParameter' })).optional(),
  pythonScriptPath: word.startsWith('dbfs:/', { error: 'must be a DBFS path (dbfs:/...)' }).optional(),
  pythonScriptName: relativeFile.optional(),
  sourceDirectory: word.optional(),
  pythonScriptParams: z.array(z.union([z.string(), z.number()], { error: 'expected a string or number' })).optional(),
  existingClusterId: word.optional(),
  sparkVersion: word.optional(),
  nodeType: word.optional(),
  numWorkers: z.int().min(0).optional(),
  runName: word.optional(),
  timeoutSeconds: z.number().positive().optional(),
});
type Options = z.output<typeof optionsSchema>;

/** Which option combinations are wrong, as `field: why` pairs (Azure ML v1 rules). */
function comboProblems(o: Options): [string, string][] {
  const problems: [string, string][] = [];
  const tasks = (['notebookPath', 'pythonScriptPath', 'pythonScriptName'] as const).filter((key) => o[key] !== undefined);
  if (tasks.length !== 1) problems.push(['', `give exactly one of notebookPath, pythonScriptPath, pythonScriptName (got ${tasks.join(', ') || 'none'})`]);
  if (o.notebookParams && o.notebookPath === undefined) problems.push(['notebookParams', 'only applies with notebookPath']);
  if (o.pythonScriptParams && o.notebookPath !== undefined) problems.push(['pythonScriptParams', 'only applies to a Python script (use notebookParams for a notebook)']);
  if ((o.pythonScriptName === undefined) !== (o.sourceDirectory === undefined)) problems.push(['sourceDirectory', 'give sourceDirectory exactly when using pythonScriptName']);
  const newCluster = [o.sparkVersion, o.nodeType, o.numWorkers].filter((v) => v !== undefined).length;
  if (o.existingClusterId !== undefined ? newCluster > 0 : newCluster < 3) {
    problems.push(['', 'give existingClusterId, or sparkVersion, nodeType and numWorkers for a new cluster (not both)']);
  }
  return problems;
}

/**
 * Runs a notebook or a Python script as a Databricks job run (Azure ML `DatabricksStep`). As in
 * Azure ML, the notebook gets its inputs, outputs and `notebookParams` as widgets named after them.
 *
 * Compiles to a step of kind `databricks`: the command is a JSON run description in Databricks
 * Jobs API names (`run_name`, `existing_cluster_id` or `new_cluster`, `notebook_task` or
 * `spark_python_task`; a relative `python_file` is in the step's code folder); notebook
 * parameters are string inputs or pipeline-input bindings of the step.
 *
 * @example
 * new DatabricksStep({
 *   name: 'featurize',
 *   notebookPath: '/Shared/featurize',
 *   notebookParams: { alpha: '0.1', epochs },
 *   inputs: [raw], outputs: [features],
 *   sparkVersion: '15.4.x-scala2.12', nodeType: 'Standard_DS3_v2', numWorkers: 2,
 *   computeTarget: 'databricks',
 * });
 */
export class DatabricksStep extends Step {
  readonly #options: Options;
  readonly #settings: ReturnType<typeof runSettings>;
  readonly #sourceDirectory?: string;

  constructor(options: DatabricksStepOptions) {
    const label = objectLabel('DatabricksStep', options?.name);
    const o = parseOptions(optionsSchema, options, label);
    const problems = new ProblemList();
    for (const [field, why] of comboProblems(o)) problems.add(why, field ? `${label}.${field}` : label);
    problems.throwIfAny();
    super(label, o);
    this.#options = o;
    this.#settings = runSettings({ ...(o.timeoutSeconds !== undefined ? { timeoutSeconds: o.timeoutSeconds } : {}) });
    if (o.sourceDirectory !== undefined) this.#sourceDirectory = path.resolve(o.sourceDirectory);
  }

  override reads(): StepInput[] {
    const params = Object.values(this.#options.notebookParams ?? {}).filter((p) => p instanceof PipelineParameter);
    return [...this.inputs, ...params];
  }

  compile(ctx: StepCompileContext): StepDefinition | undefined {
    const before = ctx.problems.size;
    const o = this.#options;
    const ports = StepPorts.of(this, ctx);
    for (const [name, value] of Object.entries(o.notebookParams ?? {})) {
      const at = `${ctx.at}.notebookParams.${name}`;
      if (value instanceof PipelineParameter) ports.addInput(value, at, name);
      else ports.addLiteral(name, String(value), at);
    }
    const dir = this.#sourceDirectory;
    if (dir !== undefined && o.pythonScriptName !== undefined && checkFolder(ctx, dir, 'source directory')) {
      if (!statSync(path.join(dir, o.pythonScriptName), { throwIfNoEntry: false })?.isFile()) ctx.problems.add(`script '${o.pythonScriptName}' not found in ${dir}`, ctx.at);
    }
    const cluster =
      o.existingClusterId !== undefined
        ? { existing_cluster_id: o.existingClusterId }
        : { new_cluster: { spark_version: o.sparkVersion, node_type_id: o.nodeType, num_workers: o.numWorkers } };
    const task =
      o.notebookPath !== undefined
        ? { notebook_task: { notebook_path: o.notebookPath } }
        : { spark_python_task: { python_file: o.pythonScriptPath ?? o.pythonScriptName, parameters: (o.pythonScriptParams ?? []).map(String) } };
    return this.finish(ctx, before, 'databricks', ports, () => ({
      command: JSON.stringify({ run_name: o.runName ?? this.name, ...cluster, ...task }),
      ...(dir !== undefined ? { codeDir: dir } : {}),
      ...this.#settings,
    }));
  }
}
