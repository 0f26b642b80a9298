/**
 * Publishing from the SDK: `pipeline.publish(...)` and `run.publishPipeline(...)` call these.
 * A pipeline is compiled here and its definition sent to the service with the steps' source
 * folders snapshotted at that moment — by the service when it shares this file system, else
 * uploaded here to the datastore first (`service.datastore`); a run is published as it ran (its
 * definition and snapshots).
 */
import { z } from 'zod';
import { datastoreSnapshotStores, publishDefinition } from '../../shared/api/publish-sources';
import type { PipelineDefinition } from '../../shared/model/definition';
import { parseOptions } from '../validate';
import type { Workspace } from '../workspace';
import { PublishedPipeline } from './published-pipeline';
import { serviceClient, serviceSchema, type ServiceOptions } from './service';

export interface PublishOptions {
  /** Name of the published pipeline. */
  name: string;
  description?: string;
  /** Version string; default: the next whole number for the name. */
  version?: string;
  /** Also add it to this pipeline endpoint (created if missing). */
  endpoint?: string;
  /** With `endpoint`: make it the endpoint's default version. */
  makeDefault?: boolean;
  service?: ServiceOptions;
}

const publishSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  version: z.string().optional(),
  endpoint: z.string().optional(),
  makeDefault: z.boolean().optional(),
  service: serviceSchema,
});

function request(o: z.output<typeof publishSchema>) {
  return {
    name: o.name,
    ...(o.description !== undefined ? { description: o.description } : {}),
    ...(o.version !== undefined ? { version: o.version } : {}),
    ...(o.endpoint !== undefined ? { endpoint: o.endpoint, makeDefault: o.makeDefault ?? false } : {}),
  };
}

/**
 * Publishes a pipeline (anything with `toDefinition()`, e.g. a `Pipeline`) behind a REST endpoint.
 *
 * @example
 * const published = await publishPipeline(ws, pipeline, { name: 'scoring', description: 'nightly scoring' });
 * console.log(published.endpoint);
 */
export async function publishPipeline(
  workspace: Workspace,
  pipeline: { toDefinition(): PipelineDefinition },
  options: PublishOptions,
): Promise<PublishedPipeline> {
  const o = parseOptions(publishSchema, options, 'Pipeline.publish');
  const client = serviceClient(workspace, o.service, 'Pipeline.publish');
  const data = await publishDefinition(
    client,
    { ...request(o), definition: pipeline.toDefinition() },
    {
      workspace: workspace.location,
      stores: () => datastoreSnapshotStores(workspace.location, o.service?.datastore),
      warn: (message) => process.emitWarning(message),
    },
  );
  return PublishedPipeline.fromData(workspace, client, data);
}

/** Publishes what a run ran: its definition and source snapshots (Azure ML `run.publish_pipeline`). */
export async function publishPipelineRun(run: { workspace: Workspace; id: string }, options: PublishOptions): Promise<PublishedPipeline> {
  const o = parseOptions(publishSchema, options, `PipelineRun(${run.id}).publishPipeline`);
  const client = serviceClient(run.workspace, o.service, 'PipelineRun.publishPipeline');
  const data = await client.publish({ ...request(o), runId: run.id });
  return PublishedPipeline.fromData(run.workspace, client, data);
}
