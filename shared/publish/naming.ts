import { randomBytes } from 'node:crypto';
import { ValidationError } from '../errors';

/** Versions of published pipelines and endpoints: `3`, `2.1.0`, `2025-01-beta`. */
export const VERSION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export function assertVersion(version: string, target = 'version'): string {
  if (!VERSION_PATTERN.test(version)) {
    throw new ValidationError(
      `version ${JSON.stringify(version.slice(0, 80))} is not valid: use 1-64 letters, digits, ".", "_" and "-", starting with a letter or digit`,
      target,
    );
  }
  return version;
}

/** A readable, unique published-pipeline id: `<name>-<10 hex>` (at most 100 characters, URL-safe). */
export function newPublishedPipelineId(name: string): string {
  return `${name.slice(0, 80)}-${randomBytes(5).toString('hex')}`;
}
