/** Publishing: published pipelines, pipeline endpoints, and the functions behind `pipeline.publish` / `run.publishPipeline`. */
export { PipelineEndpoint } from './pipeline-endpoint';
export { publishPipeline, publishPipelineRun, type PublishOptions } from './publish';
export { PublishedPipeline, type SubmitPublishedOptions } from './published-pipeline';
export type { ServiceOptions } from './service';
