/**
 * Pipeline endpoint changes on top of the store's optimistic updates: add a version (creating the
 * endpoint on first use), set the default, pick the version an invocation runs.
 */
import { ConflictError, NotFoundError, ValidationError } from '../errors';
import type { PublishStore } from './publish-store';
import type { EndpointVersion, PipelineEndpointRecord, PublishedPipelineRecord } from './records';

const MAX_TRIES = 10;

async function update(
  store: PublishStore,
  name: string,
  at: string,
  change: (current: PipelineEndpointRecord) => Partial<Pick<PipelineEndpointRecord, 'defaultVersion' | 'versions'>>,
): Promise<PipelineEndpointRecord> {
  for (let tries = 1; ; tries++) {
    const current = await store.getEndpoint(name);
    if (!current) throw new NotFoundError(`pipeline endpoint "${name}" does not exist`, 'name');
    const patch = change(current);
    try {
      return await store.updateEndpoint(name, current.revision, patch, at);
    } catch (err) {
      if (!(err instanceof ConflictError) || tries >= MAX_TRIES) throw err; // moved meanwhile: re-read
    }
  }
}

function versionList(endpoint: PipelineEndpointRecord): string {
  return endpoint.versions.map((v) => v.version).join(', ');
}

/**
 * Adds `pipeline` to endpoint `name` as `version` (default: the pipeline's version); creates the
 * endpoint, with this version as default, when it does not exist yet.
 */
export async function addEndpointVersion(
  store: PublishStore,
  name: string,
  pipeline: PublishedPipelineRecord,
  options: { version?: string; makeDefault?: boolean; description?: string; at: string },
): Promise<PipelineEndpointRecord> {
  const entry: EndpointVersion = { version: options.version ?? pipeline.version, pipelineId: pipeline.id, addedAt: options.at };
  if (!(await store.getEndpoint(name))) {
    try {
      return await store.createEndpoint({
        name,
        ...(options.description !== undefined ? { description: options.description } : {}),
        defaultVersion: entry.version,
        versions: [entry],
        createdAt: options.at,
      });
    } catch (err) {
      if (!(err instanceof ConflictError)) throw err; // created meanwhile: add to it below
    }
  }
  return update(store, name, options.at, (current) => {
    assertVersionFree(current, entry.version);
    return { versions: [...current.versions, entry], ...(options.makeDefault ? { defaultVersion: entry.version } : {}) };
  });
}

/** ConflictError when `endpoint` already has `version` (checked again when the version is added). */
export function assertVersionFree(endpoint: PipelineEndpointRecord, version: string): void {
  const taken = endpoint.versions.find((v) => v.version === version);
  if (taken) {
    throw new ConflictError(
      `pipeline endpoint "${endpoint.name}" already has version ${version} (pipeline ${taken.pipelineId}); give the new one another version`,
      'version',
    );
  }
}

export async function setEndpointDefault(store: PublishStore, name: string, version: string, at: string): Promise<PipelineEndpointRecord> {
  return update(store, name, at, (current) => {
    endpointVersion(current, version);
    return { defaultVersion: version };
  });
}

/** The version an invocation runs: `version` if given, else the default; `target` names the field it came in. */
export function endpointVersion(endpoint: PipelineEndpointRecord, version?: string, target = 'version'): EndpointVersion {
  const wanted = version ?? endpoint.defaultVersion;
  const found = endpoint.versions.find((v) => v.version === wanted);
  if (!found) {
    throw new ValidationError(`pipeline endpoint "${endpoint.name}" has no version ${JSON.stringify(wanted)} (versions: ${versionList(endpoint)})`, target);
  }
  return found;
}
