/**
 * The Iris example (examples/iris/pipeline.yml) written with the SDK: prepare the data, train two
 * classifiers in parallel, keep the better one. Same scripts, same graph, same commands.
 *
 *   node dist/sdk/examples/iris.js [workspace-folder]
 *
 * submits it to the workspace (default ./.tributary), mapping the `cpu-cluster` compute onto
 * local processes, and waits for it with live step output.
 */
import path from 'node:path';
import { describeError } from '../../shared/errors';
import { DataReference, Experiment, Pipeline, PipelineData, PipelineParameter, PythonScriptStep, Workspace } from '../index';

/** The repository's examples/iris folder (this file runs from dist/sdk/examples/). */
export const IRIS_DIR = path.resolve(__dirname, '..', '..', '..', 'examples', 'iris');

export function irisPipeline(): Pipeline {
  const sourceDirectory = path.join(IRIS_DIR, 'src');
  const environment = 'azureml://registries/azureml/environments/sklearn-1.5/labels/latest';
  const rawData = new DataReference({ localPath: path.join(IRIS_DIR, 'data', 'iris.csv'), dataReferenceName: 'raw_data' });
  const learningRate = new PipelineParameter({ name: 'learning_rate', defaultValue: 0.5 });
  const epochs = new PipelineParameter({ name: 'epochs', defaultValue: 200 });

  const prepared = new PipelineData('prepared');
  const knnModel = new PipelineData('model');
  const softmaxModel = new PipelineData('model');
  const best = new PipelineData('best', { pipelineOutputName: 'best_model', outputMode: 'mount' });

  const prep = new PythonScriptStep({
    name: 'prep',
    scriptName: 'prep.py',
    arguments: ['--raw', rawData, '--test-fraction', 0.3, '--seed', 7, '--out', prepared],
    inputs: [rawData],
    outputs: [prepared],
    sourceDirectory,
    environment,
  });
  const trainKnn = new PythonScriptStep({
    name: 'train_knn',
    scriptName: 'train_knn.py',
    arguments: ['--data', prepared.asInput('training_data'), '--k', 5, '--model', knnModel],
    outputs: [knnModel],
    sourceDirectory,
    environment,
  });
  const trainSoftmax = new PythonScriptStep({
    name: 'train_softmax',
    scriptName: 'train_softmax.py',
    arguments: ['--data', prepared.asInput('training_data'), '--learning-rate', learningRate, '--epochs', epochs, '--model', softmaxModel],
    outputs: [softmaxModel],
    sourceDirectory,
    environment,
  });
  const compare = new PythonScriptStep({
    name: 'compare',
    scriptName: 'compare.py',
    arguments: [
      '--data', prepared.asInput('test_data'),
      '--knn', knnModel.asInput('knn_model'),
      '--softmax', softmaxModel.asInput('softmax_model'),
      '--best', best,
    ],
    outputs: [best],
    sourceDirectory,
    environment,
  });
  return new Pipeline({
    steps: [prep, trainKnn, trainSoftmax, compare],
    description: 'Prepare the Iris data, train two classifiers in parallel, keep the better one.',
    defaultCompute: 'cpu-cluster',
  });
}

async function main(workspaceFolder: string | undefined): Promise<void> {
  const workspace = new Workspace(workspaceFolder ? { folder: workspaceFolder } : {});
  const experiment = new Experiment(workspace, 'iris-sdk');
  const run = await experiment.submit(irisPipeline(), { computeMap: { 'cpu-cluster': 'local' } });
  console.log(`Run ${run.id} submitted to ${workspace.folder}`);
  await run.waitForCompletion({ showOutput: true });
  const compare = await run.findStepRun('compare');
  console.log('compare metrics:', await compare.getMetrics());
}

if (require.main === module) {
  main(process.argv[2]).catch((err: unknown) => {
    console.error(`error: ${describeError(err)}`);
    process.exitCode = 1;
  });
}
