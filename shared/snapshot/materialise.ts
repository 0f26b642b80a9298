import { chmod, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { NotFoundError, TributaryError } from '../errors';
import type { ContentStore } from './content-store';
import type { SnapshotManifest } from './manifest';
import { mapLimit } from './map-limit';

/**
 * Writes snapshot `id` into `destDir`: exactly the manifest's files, as writable copies with the
 * recorded mode (the local store clones them copy-on-write where the filesystem can), so a step
 * can change its working folder without touching the store. Entry paths were validated when the
 * store read the manifest, so every file lands inside `destDir`.
 */
export async function materialiseSnapshot(store: ContentStore, id: string, destDir: string): Promise<SnapshotManifest> {
  const manifest = await store.getManifest(id);
  if (!manifest) throw new NotFoundError(`snapshot ${id} is not in the snapshot store`, `snapshot ${id}`);
  const root = path.resolve(destDir);
  const folders = new Set(manifest.files.map((f) => path.posix.dirname(f.path)));
  for (const folder of [...folders].sort()) await mkdir(path.join(root, folder), { recursive: true });
  await mapLimit(manifest.files, 16, async (file) => {
    const dest = path.join(root, file.path);
    try {
      await store.get(file.sha256, dest);
    } catch (err) {
      if (err instanceof TributaryError && err.code === 'NotFound') {
        throw new NotFoundError(`snapshot ${id}: content of ${file.path} (${file.sha256}) is missing from the snapshot store`, file.path);
      }
      throw err;
    }
    await chmod(dest, file.mode);
  });
  return manifest;
}
