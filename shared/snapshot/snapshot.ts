/**
 * Taking a snapshot of a source folder: list its files after ignore rules, hash what changed
 * since the last snapshot of the folder (stat cache), name the result by the hash of its
 * manifest, and upload only the contents the store does not hold yet.
 */
import path from 'node:path';
import { ValidationError } from '../errors';
import type { ContentStore } from './content-store';
import { sha256File } from '../util/sha256-file';
import { snapshotIdOf, type FileMode, type ManifestEntry, type SnapshotManifest } from './manifest';
import { mapLimit } from './map-limit';
import type { CachedStat, StatCache } from './stat-cache';
import { walkSource, type SourceFile } from './source-walk';

/** Azure ML's snapshot size limit; above it Tributary warns (it does not refuse). */
export const DEFAULT_SIZE_WARNING_BYTES = 300 * 1024 * 1024;

export interface SnapshotSizeWarning {
  codeDir: string;
  totalBytes: number;
  limitBytes: number;
  /** The biggest files, biggest first. */
  largest: { path: string; size: number }[];
  /** Ready to print: sizes, the biggest files and what to do about them. */
  message: string;
}

export interface SnapshotDeps {
  store: ContentStore;
  cache: StatCache;
  /** Warn when the files add up to more than this many bytes (default 300 MiB). */
  sizeWarningBytes?: number;
  warn: (warning: SnapshotSizeWarning) => void;
  /** Folders never snapshotted, e.g. the workspace folder when it lies inside a source folder. */
  excludeFolders?: string[];
}

export interface Snapshot {
  /** sha256 of the canonical manifest. */
  id: string;
  manifest: SnapshotManifest;
  uploadedFiles: number;
  uploadedBytes: number;
}

export async function takeSnapshot(codeDir: string, deps: SnapshotDeps): Promise<Snapshot> {
  const dir = path.resolve(codeDir);
  const files = walkSource(dir, deps.excludeFolders);
  warnIfLarge(dir, files, deps);
  const cached = await deps.cache.load(dir);
  const trusted = new Map<string, CachedStat>();
  let hits = 0;
  const entries = await mapLimit(files, 16, async (file): Promise<ManifestEntry> => {
    const { stat } = file;
    const mode: FileMode = (Number(stat.mode) & 0o111) !== 0 ? 0o755 : 0o644;
    const known = cached.get(file.rel);
    if (known && known.size === stat.size && known.mtimeNs === stat.mtimeNs && known.ctimeNs === stat.ctimeNs && known.ino === stat.ino) {
      hits++;
      trusted.set(file.rel, known);
      return { path: file.rel, size: Number(stat.size), sha256: known.sha256, mode };
    }
    const readStartNs = BigInt(Date.now()) * 1_000_000n;
    const { sha256, size } = await sha256File(file.abs, Number(stat.size));
    if (BigInt(size) === stat.size && settledBefore(stat.mtimeNs, readStartNs)) {
      trusted.set(file.rel, { size: stat.size, mtimeNs: stat.mtimeNs, ctimeNs: stat.ctimeNs, ino: stat.ino, sha256 });
    }
    return { path: file.rel, size, sha256, mode };
  });
  const manifest: SnapshotManifest = { schemaVersion: 1, files: entries.sort((a, b) => (a.path < b.path ? -1 : 1)) };
  const id = snapshotIdOf(manifest);
  // A stored manifest means every object it names is stored too (the store's contract).
  const uploaded = (await deps.store.getManifest(id)) ? { uploadedFiles: 0, uploadedBytes: 0 } : await upload(id, manifest, files, deps.store);
  if (hits !== files.length || hits !== cached.size) await deps.cache.save(dir, trusted);
  return { id, manifest, ...uploaded };
}

/**
 * Whether a file's mtime is far enough before its content was read that any later write must
 * change the mtime. Without this, a write in the same timestamp tick as the read would keep the
 * old stat and a stale hash would be trusted (git's "racy clean" problem). Timestamps on Linux
 * tick every 1-10 ms; whole-second filesystems (mtime with no nanoseconds) need 2 s.
 */
function settledBefore(mtimeNs: bigint, readStartNs: bigint): boolean {
  const slackNs = mtimeNs % 1_000_000_000n === 0n ? 2_000_000_000n : 20_000_000n;
  return mtimeNs + slackNs < readStartNs;
}

async function upload(id: string, manifest: SnapshotManifest, files: SourceFile[], store: ContentStore): Promise<Pick<Snapshot, 'uploadedFiles' | 'uploadedBytes'>> {
  const absOf = new Map(files.map((f) => [f.rel, f.abs]));
  const byDigest = new Map<string, ManifestEntry>();
  for (const entry of manifest.files) if (!byDigest.has(entry.sha256)) byDigest.set(entry.sha256, entry);
  const present = await store.has([...byDigest.keys()]);
  const missing = [...byDigest.values()].filter((e) => !present.has(e.sha256));
  await mapLimit(missing, 8, (e) => store.put(e.sha256, absOf.get(e.path)!));
  await store.putManifest(id, manifest);
  return { uploadedFiles: missing.length, uploadedBytes: missing.reduce((sum, e) => sum + e.size, 0) };
}

function warnIfLarge(codeDir: string, files: SourceFile[], deps: SnapshotDeps): void {
  const limitBytes = deps.sizeWarningBytes ?? DEFAULT_SIZE_WARNING_BYTES;
  if (!Number.isFinite(limitBytes) || limitBytes < 0) {
    throw new ValidationError(`snapshot size warning limit must be a number of bytes >= 0, got ${limitBytes}`, 'sizeWarningBytes');
  }
  const totalBytes = files.reduce((sum, f) => sum + Number(f.stat.size), 0);
  if (totalBytes <= limitBytes) return;
  const largest = files
    .map((f) => ({ path: f.rel, size: Number(f.stat.size) }))
    .sort((a, b) => b.size - a.size)
    .slice(0, 5);
  const list = largest.map((f) => `${f.path} (${mib(f.size)})`).join(', ');
  const message =
    `snapshot of ${codeDir} is ${mib(totalBytes)} in ${files.length} files, above the ${mib(limitBytes)} warning limit; ` +
    `largest: ${list}. Leave data and build outputs out with .amlignore and pass data as inputs instead.`;
  deps.warn({ codeDir, totalBytes, limitBytes, largest, message });
}

function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}
