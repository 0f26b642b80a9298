/**
 * Datastore URIs as in Azure ML: `azureml://datastores/<name>/paths/<path>`, and the rules a
 * path inside a datastore must follow. Every blob name Tributary writes or reads passes through
 * `checkDatastorePath`, so the same rules hold for upload targets, input references, output files
 * and downloads (a blob path also becomes a local relative path when downloaded).
 */
import { ValidationError } from '../errors';

export interface DatastoreLocation {
  datastore: string;
  /** Relative, `/`-separated, never empty; no trailing `/`. */
  path: string;
}

const URI = /^azureml:\/\/datastores\/([^/]*)\/paths\/(.*)$/s;
/** Azure ML datastore names: letters, digits and `_`. */
const DATASTORE_NAME = /^[A-Za-z0-9_]{1,255}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
const MAX_PATH = 1024;
const MAX_SEGMENT = 254;

/** Why `value` cannot be a path inside a datastore, or undefined when it can. */
export function datastorePathProblem(value: string): string | undefined {
  if (value === '') return 'is empty';
  if (CONTROL.test(value)) return 'contains a control character';
  if (value.includes('\\')) return 'contains "\\" (use "/" between folders)';
  if (value.startsWith('/') || /^[A-Za-z]:/.test(value)) return 'must be relative (no leading "/" or drive letter)';
  if (/[?#]/.test(value)) return 'contains "?" or "#"';
  if (value.length > MAX_PATH) return `is longer than ${MAX_PATH} characters`;
  for (const segment of value.split('/')) {
    if (segment === '') return 'has an empty segment ("//" or a trailing "/")';
    if (segment === '.' || segment === '..' || decoded(segment) === '.' || decoded(segment) === '..') return 'contains a "." or ".." segment';
    if (segment.length > MAX_SEGMENT) return `has a segment longer than ${MAX_SEGMENT} characters`;
  }
  return undefined;
}

/**
 * Checks a datastore path and returns it without a single trailing `/` (folder references are
 * often written `data/`). `field` names what the value is (e.g. `--target-path`, `inputs.data`).
 */
export function checkDatastorePath(value: string, field: string): string {
  const trimmed = value.endsWith('/') && value.length > 1 ? value.slice(0, -1) : value;
  const problem = datastorePathProblem(trimmed);
  if (problem) throw new ValidationError(`${field}: path ${JSON.stringify(value)} ${problem}`, field);
  return trimmed;
}

/** Why `name` cannot name a datastore, or undefined when it can. */
export function datastoreNameProblem(name: string): string | undefined {
  return DATASTORE_NAME.test(name) ? undefined : `datastore name ${JSON.stringify(name)} is invalid (use letters, digits and "_")`;
}

function checkDatastoreName(name: string, field = 'datastore'): string {
  const problem = datastoreNameProblem(name);
  if (problem) throw new ValidationError(`${field}: ${problem}`, field);
  return name;
}

export function isDatastoreUri(value: string): boolean {
  return value.startsWith('azureml://');
}

/** `azureml://datastores/<name>/paths/<path>` split and checked; `field` names the value in errors. */
export function parseDatastoreUri(uri: string, field = 'uri'): DatastoreLocation {
  const match = URI.exec(uri);
  if (!match) throw new ValidationError(`${field}: ${JSON.stringify(uri)} is not of the form azureml://datastores/NAME/paths/PATH`, field);
  return { datastore: checkDatastoreName(match[1]!, field), path: checkDatastorePath(match[2]!, field) };
}

export function formatDatastoreUri(location: DatastoreLocation): string {
  return `azureml://datastores/${checkDatastoreName(location.datastore)}/paths/${checkDatastorePath(location.path, 'path')}`;
}

function decoded(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
