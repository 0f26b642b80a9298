import { z } from 'zod';
import type { ApiClient, PublishedPipelineData } from '../../shared/api/client';
import { PipelineRun } from '../run';
import { parseOptions } from '../validate';
import type { Workspace } from '../workspace';
import { serviceClient, serviceSchema, type ServiceOptions } from './service';

export interface SubmitPublishedOptions {
  /** Experiment the run is filed under (default: the pipeline's own experiment, else its name). */
  experimentName?: string;
  /** Overrides of the published parameter defaults, type-checked by the service. */
  pipelineParameters?: Record<string, string | number | boolean>;
  /** Makes a retried submit safe: the same key returns the first run and starts nothing new. */
  idempotencyKey?: string;
}

const submitSchema = z.strictObject({
  experimentName: z.string().min(1).optional(),
  pipelineParameters: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  idempotencyKey: z.string().min(1).optional(),
});

const listSchema = z.strictObject({ activeOnly: z.boolean().optional(), name: z.string().optional(), service: serviceSchema });

/** The body of an invocation, Azure ML style. */
export function submission(o: z.output<typeof submitSchema>) {
  return {
    ...(o.experimentName !== undefined ? { ExperimentName: o.experimentName } : {}),
    ParameterAssignments: o.pipelineParameters ?? {},
  };
}

/**
 * A pipeline published behind a REST endpoint (Azure ML `PublishedPipeline`): frozen definition and
 * parameter defaults; invoke it with `submit` or by POSTing to `endpoint`; `disable` makes the
 * endpoint refuse invocations until `enable`.
 *
 * @example
 * const published = await PublishedPipeline.get(ws, 'scoring-3fa2c1d0e9');
 * const run = await published.submit({ experimentName: 'nightly', pipelineParameters: { alpha: 0.5 } });
 * await run.waitForCompletion();
 */
export class PublishedPipeline {
  private constructor(
    readonly workspace: Workspace,
    private readonly client: ApiClient,
    private data: PublishedPipelineData,
  ) {}

  /** @internal Wraps a service answer (used by publish and PipelineEndpoint). */
  static fromData(workspace: Workspace, client: ApiClient, data: PublishedPipelineData): PublishedPipeline {
    return new PublishedPipeline(workspace, client, data);
  }

  static async get(workspace: Workspace, id: string, options: { service?: ServiceOptions } = {}): Promise<PublishedPipeline> {
    const client = serviceClient(workspace, options.service, 'PublishedPipeline.get');
    return new PublishedPipeline(workspace, client, await client.getPipeline(id));
  }

  /** Published pipelines, newest first; only active ones unless `activeOnly: false` (as Azure ML). */
  static async list(workspace: Workspace, options: { activeOnly?: boolean; name?: string; service?: ServiceOptions } = {}): Promise<PublishedPipeline[]> {
    const o = parseOptions(listSchema, options, 'PublishedPipeline.list');
    const client = serviceClient(workspace, o.service, 'PublishedPipeline.list');
    const found: PublishedPipeline[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await client.listPipelines({ ...(o.name ? { name: o.name } : {}), ...(o.activeOnly === false ? {} : { status: 'Active' }), continuationToken });
      found.push(...page.value.map((d) => new PublishedPipeline(workspace, client, d)));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return found;
  }

  get id(): string {
    return this.data.id;
  }
  get name(): string {
    return this.data.name;
  }
  get version(): string {
    return this.data.version;
  }
  get description(): string | undefined {
    return this.data.description;
  }
  get status(): PublishedPipelineData['status'] {
    return this.data.status;
  }
  /** The REST endpoint: POST `{"ExperimentName": ..., "ParameterAssignments": {...}}` with a bearer token. */
  get endpoint(): string {
    return this.data.endpoint;
  }
  /** Parameter name → type and frozen default. */
  get parameters(): PublishedPipelineData['parameters'] {
    return this.data.parameters;
  }

  async disable(): Promise<void> {
    this.data = await this.client.setPipelineEnabled(this.id, false);
  }

  async enable(): Promise<void> {
    this.data = await this.client.setPipelineEnabled(this.id, true);
  }

  /** Starts a run through the endpoint; the run is followed in the workspace like any other. */
  async submit(options: SubmitPublishedOptions = {}): Promise<PipelineRun> {
    const o = parseOptions(submitSchema, options, `PublishedPipeline(${this.name}).submit`);
    const result = await this.client.invoke({ pipeline: this.id }, submission(o), o.idempotencyKey);
    return new PipelineRun(this.workspace, result.Id);
  }
}
