/**
 * The workspace's datastores, persisted in `datastores.json` (mode 0600) under the workspace.
 * `workspaceblobstore` always exists: the embedded Azurite unless registered otherwise.
 * Secrets never land in the file: a connection string is read from the environment variable the
 * datastore names.
 */
import { existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { NotFoundError, ValidationError } from '../../errors';
import type { Workspace } from '../../workspace/workspace';

export const DEFAULT_DATASTORE = 'workspaceblobstore';
const FILE = 'datastores.json';
/** Azure container names: 3-63 lowercase letters, digits and single hyphens, starting and ending alphanumeric. */
const CONTAINER = /^(?=.{3,63}$)[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const DatastoreConfigSchema = z
  .strictObject({
    name: z.string().regex(/^[A-Za-z0-9_]{1,255}$/, 'use letters, digits and "_"'),
    container: z.string().regex(CONTAINER, '3-63 lowercase letters, digits and single hyphens'),
    /** e.g. `https://<account>.blob.core.windows.net`; required for defaultAzureCredential. */
    accountUrl: z.url({ protocol: /^https?$/ }).optional(),
    auth: z.enum(['azurite', 'defaultAzureCredential', 'connectionString']),
    /** Name of the environment variable holding the connection string (auth: connectionString). */
    connectionStringEnv: z.string().regex(ENV_NAME, 'an environment variable name').optional(),
  })
  .superRefine((ds, ctx) => {
    if (ds.auth === 'defaultAzureCredential' && !ds.accountUrl) ctx.addIssue({ code: 'custom', path: ['accountUrl'], message: 'required with defaultAzureCredential' });
    if (ds.auth === 'connectionString' && !ds.connectionStringEnv) ctx.addIssue({ code: 'custom', path: ['connectionStringEnv'], message: 'required with connectionString' });
    if (ds.auth !== 'connectionString' && ds.connectionStringEnv) ctx.addIssue({ code: 'custom', path: ['connectionStringEnv'], message: 'only used with connectionString' });
  });
export type DatastoreConfig = z.infer<typeof DatastoreConfigSchema>;

const FileSchema = z.strictObject({ datastores: z.array(DatastoreConfigSchema) });

export const DEFAULT_DATASTORE_CONFIG: DatastoreConfig = { name: DEFAULT_DATASTORE, container: 'azureml-blobstore', auth: 'azurite' };

/** A datastore description from untrusted input (CLI flags, SDK objects), checked. */
export function parseDatastoreConfig(value: unknown): DatastoreConfig {
  const parsed = DatastoreConfigSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const problems = parsed.error.issues.map((i) => `${i.path.join('.') || 'datastore'}: ${i.message}`);
  throw new ValidationError(`invalid datastore: ${problems.join('; ')}`, String(parsed.error.issues[0]?.path[0] ?? 'datastore'), problems);
}

/** Every datastore of the workspace, the default first. */
export function listDatastores(workspace: Workspace): DatastoreConfig[] {
  const registered = readFile(workspace);
  const hasDefault = registered.some((d) => d.name === DEFAULT_DATASTORE);
  const all = hasDefault ? registered : [DEFAULT_DATASTORE_CONFIG, ...registered];
  return all.sort((a, b) => Number(b.name === DEFAULT_DATASTORE) - Number(a.name === DEFAULT_DATASTORE) || a.name.localeCompare(b.name));
}

export function getDatastoreConfig(workspace: Workspace, name: string): DatastoreConfig {
  const all = listDatastores(workspace);
  const found = all.find((d) => d.name === name);
  if (!found) throw new NotFoundError(`datastore "${name}" is not registered (known: ${all.map((d) => d.name).join(', ')})`, 'datastore');
  return found;
}

/** Adds or replaces a datastore (by name). */
export async function saveDatastoreConfig(workspace: Workspace, config: DatastoreConfig): Promise<void> {
  const others = readFile(workspace).filter((d) => d.name !== config.name);
  const file = registryFile(workspace);
  await mkdir(workspace.root, { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ datastores: [...others, config] }, null, 2)}\n`, { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}

function registryFile(workspace: Workspace): string {
  return path.join(workspace.root, FILE);
}

function readFile(workspace: Workspace): DatastoreConfig[] {
  const file = registryFile(workspace);
  if (!existsSync(file)) return [];
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ValidationError(`${file} is not valid JSON (${(err as Error).message}); fix or remove it`, file);
  }
  const parsed = FileSchema.safeParse(json);
  if (!parsed.success) {
    throw new ValidationError(`${file}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, file);
  }
  return parsed.data.datastores;
}
