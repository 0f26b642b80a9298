/**
 * Tributary's TypeScript SDK: the Azure ML SDK v1 pipeline classes, compiling to the same
 * pipeline definition as the YAML front door and running on the same engine.
 *
 * @example
 * import { Experiment, Pipeline, PipelineData, PythonScriptStep, Workspace } from './sdk';
 * const prepared = new PipelineData('prepared');
 * const prep = new PythonScriptStep({ name: 'prep', scriptName: 'prep.py', sourceDirectory: './src', arguments: ['--out', prepared], outputs: [prepared] });
 * const train = new PythonScriptStep({ name: 'train', scriptName: 'train.py', sourceDirectory: './src', arguments: ['--data', prepared], inputs: [prepared] });
 * const run = await new Experiment(Workspace.fromConfig(), 'demo').submit(new Pipeline({ steps: [prep, train], defaultCompute: 'local' }));
 * await run.waitForCompletion({ showOutput: true });
 */
export { DataReference, Datastore, DEFAULT_DATASTORE, type DataReferenceMode, type DataReferenceOptions } from './data';
export { Experiment, type SubmitOptions } from './experiment';
export { PipelineParameter, type PipelineParameterOptions } from './parameters';
export { Pipeline, type PipelineOptions } from './pipeline';
export { InputPortBinding, PipelineData, type PipelineDataOptions } from './pipeline-data';
export { PipelineEndpoint, PublishedPipeline, type PublishOptions, type ServiceOptions, type SubmitPublishedOptions } from './publish';
export { PipelineRun, RunFailedError, type WaitOptions } from './run';
export { StepRun, type MetricValue } from './step-run';
export { AdlaStep } from './steps/adla-step';
export type { StepArgument } from './steps/arguments';
export { CommandStep, type CommandStepOptions } from './steps/command-step';
export { DatabricksStep, type DatabricksStepOptions } from './steps/databricks-step';
export { DataTransferStep, type DataTransferStepOptions } from './steps/data-transfer-step';
export { PythonScriptStep, type PythonScriptStepOptions } from './steps/python-script-step';
export { Step, type ComputeTargetRef, type ProcessStepOptions, type StepInput, type StepOptions } from './steps/step';
export { Workspace, type WorkspaceOptions } from './workspace';
