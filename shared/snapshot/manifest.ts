/**
 * The snapshot manifest: every file of a source folder after ignore rules, as relative path,
 * size, sha256 and mode, sorted by path. Its canonical JSON is what a snapshot id hashes, so the
 * id names the content: the same files give the same id on any machine.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../errors';

export const SHA256_HEX = /^[0-9a-f]{64}$/;
/** File modes kept in a snapshot: only the executable bit matters, as in git. */
export const FILE_MODES = [0o644, 0o755] as const;
export type FileMode = (typeof FILE_MODES)[number];

export interface ManifestEntry {
  /** Relative to the source folder, `/`-separated. */
  path: string;
  size: number;
  sha256: string;
  mode: FileMode;
}

export interface SnapshotManifest {
  schemaVersion: 1;
  files: ManifestEntry[];
}

/** Why a path cannot be a snapshot entry, or undefined when it can. */
export function entryPathProblem(relPath: string): string | undefined {
  if (/[\u0000-\u001f\u007f]/.test(relPath)) return 'contains a control character';
  if (relPath.includes('\\')) return 'contains a backslash';
  const segments = relPath.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return 'is not a plain relative path';
  return undefined;
}

const entrySchema = z.object({
  path: z.string().superRefine((p, ctx) => {
    const problem = entryPathProblem(p);
    if (problem) ctx.addIssue({ code: 'custom', message: `path ${JSON.stringify(p)} ${problem}` });
  }),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(SHA256_HEX),
  mode: z.union([z.literal(0o644), z.literal(0o755)]),
});

const manifestSchema = z.object({ schemaVersion: z.literal(1), files: z.array(entrySchema) }).superRefine((m, ctx) => {
  for (let i = 1; i < m.files.length; i++) {
    if (!(m.files[i - 1]!.path < m.files[i]!.path)) {
      ctx.addIssue({ code: 'custom', message: `files are not sorted by path or repeat one at ${JSON.stringify(m.files[i]!.path)}` });
      return;
    }
  }
});

/** Canonical JSON: fixed key order, entries sorted by path (UTF-16 code units, locale-free). */
export function serializeManifest(manifest: SnapshotManifest): string {
  const files = [...manifest.files]
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .map((f) => ({ path: f.path, size: f.size, sha256: f.sha256, mode: f.mode }));
  return JSON.stringify({ schemaVersion: manifest.schemaVersion, files });
}

export function sha256Text(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The snapshot id: sha256 of the canonical manifest. */
export function snapshotIdOf(manifest: SnapshotManifest): string {
  return sha256Text(serializeManifest(manifest));
}

export function assertSnapshotId(id: string): void {
  if (!SHA256_HEX.test(id)) throw new ValidationError(`snapshot id ${JSON.stringify(id)} is not a sha256 hex digest`, 'snapshot id');
}

/**
 * Reads a stored manifest back: checks its shape and entry paths (a manifest from a shared store
 * decides where files are written) and that its content hashes to `id`.
 */
export function parseManifest(id: string, text: string): SnapshotManifest {
  assertSnapshotId(id);
  if (sha256Text(text) !== id) throw new ValidationError(`stored manifest of snapshot ${id} does not match its id (corrupted store?)`, `snapshot ${id}`);
  const parsed = manifestSchema.safeParse(JSON.parse(text));
  if (!parsed.success) {
    throw new ValidationError(`stored manifest of snapshot ${id} is invalid: ${parsed.error.issues[0]!.message}`, `snapshot ${id}`);
  }
  return parsed.data;
}
