/**
 * Records ⇄ rows of the publish database. Optional fields are NULL in a row and absent in a record,
 * so what is read back deep-equals what was written. JSON columns hold the store's own output.
 */
import type { SQLInputValue, SQLOutputValue } from 'node:sqlite';
import { PUBLISHED_PIPELINE_STATUSES, type PublishedPipelineStatus } from '../records';
import type { EndpointVersion, IdempotencyRecord, PipelineEndpointRecord, PublishedPipelineRecord } from '../records';
import type { PipelineDefinition } from '../../model/definition';

export type Row = Readonly<Record<string, SQLOutputValue>>;
export type Params = Record<string, SQLInputValue>;

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`publish store: column ${column} is ${value === null ? 'NULL' : typeof value}, expected text`);
  return value;
}

function optText(row: Row, column: string): string | undefined {
  return row[column] === null || row[column] === undefined ? undefined : text(row, column);
}

function num(row: Row, column: string): number {
  const value = row[column];
  if (typeof value !== 'number') throw new Error(`publish store: column ${column} is ${value === null ? 'NULL' : typeof value}, expected a number`);
  return value;
}

function pipelineStatus(row: Row): PublishedPipelineStatus {
  const value = text(row, 'status');
  const known = PUBLISHED_PIPELINE_STATUSES.find((s) => s === value);
  if (!known) throw new Error(`publish store: unknown pipeline status "${value}"`);
  return known;
}

export function pipelineToRow(p: PublishedPipelineRecord): Params {
  return {
    id: p.id,
    name: p.name,
    version: p.version,
    description: p.description ?? null,
    status: p.status,
    definition: JSON.stringify(p.definition),
    snapshots: p.snapshots ? JSON.stringify(p.snapshots) : null,
    source_run_id: p.sourceRunId ?? null,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
  };
}

export function rowToPipeline(row: Row): PublishedPipelineRecord {
  const description = optText(row, 'description');
  const sourceRunId = optText(row, 'source_run_id');
  const snapshots = optText(row, 'snapshots');
  return {
    id: text(row, 'id'),
    name: text(row, 'name'),
    version: text(row, 'version'),
    ...(description !== undefined ? { description } : {}),
    status: pipelineStatus(row),
    definition: JSON.parse(text(row, 'definition')) as PipelineDefinition,
    ...(snapshots !== undefined ? { snapshots: JSON.parse(snapshots) as Record<string, string> } : {}),
    ...(sourceRunId !== undefined ? { sourceRunId } : {}),
    createdAt: text(row, 'created_at'),
    updatedAt: text(row, 'updated_at'),
  };
}

export function endpointToRow(e: PipelineEndpointRecord): Params {
  return {
    name: e.name,
    description: e.description ?? null,
    default_version: e.defaultVersion,
    versions: JSON.stringify(e.versions),
    created_at: e.createdAt,
    updated_at: e.updatedAt,
    revision: e.revision,
  };
}

export function rowToEndpoint(row: Row): PipelineEndpointRecord {
  const description = optText(row, 'description');
  return {
    name: text(row, 'name'),
    ...(description !== undefined ? { description } : {}),
    defaultVersion: text(row, 'default_version'),
    versions: JSON.parse(text(row, 'versions')) as EndpointVersion[],
    createdAt: text(row, 'created_at'),
    updatedAt: text(row, 'updated_at'),
    revision: num(row, 'revision'),
  };
}

export function idempotencyToRow(r: IdempotencyRecord): Params {
  return {
    scope: r.scope,
    key: r.key,
    run_id: r.runId,
    request_hash: r.requestHash,
    created_at: r.createdAt,
    expires_at: r.expiresAt,
  };
}

export function rowToIdempotency(row: Row): IdempotencyRecord {
  return {
    scope: text(row, 'scope'),
    key: text(row, 'key'),
    runId: text(row, 'run_id'),
    requestHash: text(row, 'request_hash'),
    createdAt: text(row, 'created_at'),
    expiresAt: text(row, 'expires_at'),
  };
}

/** Opaque page tokens: base64url of the last item's sort key. */
export function encodePageKey(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/** The sort key in `token`, or undefined when it is not a token of this listing (`size` parts). */
export function decodePageKey(token: string, size: number): string[] | undefined {
  try {
    const parts: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Array.isArray(parts) && parts.length === size && parts.every((p) => typeof p === 'string')) return parts;
  } catch {
    // fall through: not a token we issued
  }
  return undefined;
}
