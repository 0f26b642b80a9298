import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ContentStore } from '../../shared/snapshot/content-store';
import type { SnapshotManifest } from '../../shared/snapshot/manifest';

export async function tempDir(prefix: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), `tributary-${prefix}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Writes `files` (relative path → content) under `root`, creating folders. */
export async function writeTree(root: string, files: Record<string, string>): Promise<void> {
  for (const [rel, content] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(root, rel)), { recursive: true });
    await writeFile(path.join(root, rel), content);
  }
}

/** A store that counts what goes through it. */
export class CountingStore implements ContentStore {
  puts: string[] = [];
  hasCalls = 0;
  manifestPuts = 0;
  constructor(private readonly inner: ContentStore) {}
  has(digests: string[]): Promise<Set<string>> {
    this.hasCalls++;
    return this.inner.has(digests);
  }
  put(digest: string, localFile: string): Promise<void> {
    this.puts.push(digest);
    return this.inner.put(digest, localFile);
  }
  get(digest: string, destFile: string): Promise<void> {
    return this.inner.get(digest, destFile);
  }
  putManifest(id: string, manifest: SnapshotManifest): Promise<void> {
    this.manifestPuts++;
    return this.inner.putManifest(id, manifest);
  }
  getManifest(id: string): Promise<SnapshotManifest | undefined> {
    return this.inner.getManifest(id);
  }
}
