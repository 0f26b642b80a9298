import { z } from 'zod';
import type { ApiClient, PipelineEndpointData } from '../../shared/api/client';
import { NotFoundError } from '../../shared/errors';
import { PipelineRun } from '../run';
import { parseOptions } from '../validate';
import type { Workspace } from '../workspace';
import { PublishedPipeline, submission, type SubmitPublishedOptions } from './published-pipeline';
import { serviceClient, serviceSchema, type ServiceOptions } from './service';

const publishSchema = z.strictObject({
  name: z.string().min(1),
  description: z.string().optional(),
  pipeline: z.custom<PublishedPipeline>((v) => v instanceof PublishedPipeline, { error: 'expected a PublishedPipeline' }),
  version: z.string().optional(),
  service: serviceSchema,
});

const submitSchema = z.strictObject({
  experimentName: z.string().min(1).optional(),
  pipelineParameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  idempotencyKey: z.string().min(1).optional(),
  pipelineVersion: z.string().optional(),
});

/**
 * A stable REST endpoint over several published pipeline versions, one of them the default
 * (Azure ML `PipelineEndpoint`). Invoking it runs the default unless a version is named.
 *
 * @example
 * const endpoint = await PipelineEndpoint.publish(ws, { name: 'scoring', pipeline: v1 });
 * await endpoint.add(v2);
 * await endpoint.setDefaultVersion(v2.version);
 * const run = await endpoint.submit({ experimentName: 'nightly' });
 */
export class PipelineEndpoint {
  private constructor(
    readonly workspace: Workspace,
    private readonly client: ApiClient,
    private data: PipelineEndpointData,
  ) {}

  /** Creates an endpoint whose first (and default) version is `pipeline`. */
  static async publish(
    workspace: Workspace,
    options: { name: string; pipeline: PublishedPipeline; description?: string; version?: string; service?: ServiceOptions },
  ): Promise<PipelineEndpoint> {
    const o = parseOptions(publishSchema, options, 'PipelineEndpoint.publish');
    const client = serviceClient(workspace, o.service, 'PipelineEndpoint.publish');
    const data = await client.createEndpoint({
      name: o.name,
      pipelineId: o.pipeline.id,
      ...(o.description !== undefined ? { description: o.description } : {}),
      ...(o.version !== undefined ? { version: o.version } : {}),
    });
    return new PipelineEndpoint(workspace, client, data);
  }

  static async get(workspace: Workspace, name: string, options: { service?: ServiceOptions } = {}): Promise<PipelineEndpoint> {
    const client = serviceClient(workspace, options.service, 'PipelineEndpoint.get');
    return new PipelineEndpoint(workspace, client, await client.getEndpoint(name));
  }

  static async list(workspace: Workspace, options: { service?: ServiceOptions } = {}): Promise<PipelineEndpoint[]> {
    const client = serviceClient(workspace, options.service, 'PipelineEndpoint.list');
    const found: PipelineEndpoint[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await client.listEndpoints({ continuationToken });
      found.push(...page.value.map((d) => new PipelineEndpoint(workspace, client, d)));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return found;
  }

  get name(): string {
    return this.data.name;
  }
  get defaultVersion(): string {
    return this.data.defaultVersion;
  }
  /** The REST endpoint that runs the default version. */
  get endpoint(): string {
    return this.data.endpoint;
  }

  /** Versions in the order they were added, each with its published pipeline id. */
  listVersions(): { version: string; pipelineId: string }[] {
    return this.data.versions.map(({ version, pipelineId }) => ({ version, pipelineId }));
  }

  /** Adds `pipeline` as a version (default: the pipeline's own version). */
  async add(pipeline: PublishedPipeline, options: { version?: string } = {}): Promise<void> {
    this.data = await this.client.addEndpointVersion(this.name, { pipelineId: pipeline.id, ...options, makeDefault: false });
  }

  /** Adds `pipeline` as a version and makes it the default. */
  async addDefault(pipeline: PublishedPipeline, options: { version?: string } = {}): Promise<void> {
    this.data = await this.client.addEndpointVersion(this.name, { pipelineId: pipeline.id, ...options, makeDefault: true });
  }

  async setDefaultVersion(version: string): Promise<void> {
    this.data = await this.client.setEndpointDefault(this.name, version);
  }

  /** The published pipeline behind `version` (default: the default version). */
  async getPipeline(version?: string): Promise<PublishedPipeline> {
    const wanted = version ?? this.defaultVersion;
    const entry = this.data.versions.find((v) => v.version === wanted);
    if (!entry) throw new NotFoundError(`pipeline endpoint "${this.name}" has no version ${wanted} (versions: ${this.data.versions.map((v) => v.version).join(', ')})`, 'version');
    return PublishedPipeline.fromData(this.workspace, this.client, await this.client.getPipeline(entry.pipelineId));
  }

  /** Starts a run of the default version (or `pipelineVersion`). */
  async submit(options: SubmitPublishedOptions & { pipelineVersion?: string } = {}): Promise<PipelineRun> {
    const o = parseOptions(submitSchema, options, `PipelineEndpoint(${this.name}).submit`);
    const body = { ...submission(o), ...(o.pipelineVersion !== undefined ? { PipelineVersion: o.pipelineVersion } : {}) };
    const result = await this.client.invoke({ endpoint: this.name }, body, o.idempotencyKey);
    return new PipelineRun(this.workspace, result.Id);
  }
}
