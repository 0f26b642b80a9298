/**
 * Downloads keyed by blob etag under `<workspace>/cache/blobs/`: a blob is fetched once per
 * version; every later use is a hard link (a copy across file systems) into the step's folder.
 * Cached files are read-only and re-checked by size, mtime and inode, so a step that rewrote its
 * input through the link does not poison the cache: the next use downloads again.
 */
import type { ContainerClient } from '@azure/storage-blob';
import { createHash, randomBytes } from 'node:crypto';
import { chmod, copyFile, link, mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { TransientError, TributaryError } from '../../errors';
import { contentHash } from './hash-pool';
import { storageError, storageStatus } from './storage-errors';

export interface RemoteBlob {
  name: string;
  etag: string;
  size: number;
}

const MetaSchema = z.object({ etag: z.string(), size: z.number(), mtimeMs: z.number(), ino: z.number(), hash: z.string() });
type Meta = z.infer<typeof MetaSchema>;

export class BlobCache {
  constructor(private readonly root: string) {}

  /**
   * Places the blob's content at `dest` (replacing what is there). `expectedHash` (from a
   * manifest) is checked against what was downloaded.
   */
  async materialize(datastore: string, container: ContainerClient, blob: RemoteBlob, dest: string, expectedHash?: string): Promise<void> {
    const key = createHash('sha256').update(`${datastore}\0${container.containerName}\0${blob.name}`).digest('hex');
    const data = path.join(this.root, key.slice(0, 2), key);
    const meta = (await this.cached(data, blob)) ?? (await this.download(data, container, blob));
    if (expectedHash && meta.hash !== expectedHash) {
      throw new TributaryError('Conflict', 409, `${blob.name} does not match its manifest (content hash ${meta.hash.slice(0, 12)}…, expected ${expectedHash.slice(0, 12)}…)`);
    }
    await mkdir(path.dirname(dest), { recursive: true });
    await rm(dest, { force: true });
    await link(data, dest).catch(() => copyFile(data, dest));
  }

  private async cached(data: string, blob: RemoteBlob): Promise<Meta | undefined> {
    try {
      const meta = MetaSchema.parse(JSON.parse(await readFile(`${data}.json`, 'utf8')));
      const info = await stat(data);
      const same = meta.etag === blob.etag && meta.size === blob.size && info.size === meta.size && info.mtimeMs === meta.mtimeMs && info.ino === meta.ino;
      return same ? meta : undefined;
    } catch {
      return undefined;
    }
  }

  private async download(data: string, container: ContainerClient, blob: RemoteBlob): Promise<Meta> {
    await mkdir(path.dirname(data), { recursive: true });
    const tag = randomBytes(6).toString('hex');
    const tmp = `${data}.${tag}.tmp`;
    try {
      await container.getBlobClient(blob.name).downloadToFile(tmp, 0, undefined, { conditions: { ifMatch: blob.etag } });
      const info = await stat(tmp);
      if (info.size !== blob.size) throw new TransientError(`${blob.name}: downloaded ${info.size} bytes, expected ${blob.size}`);
      const hash = await contentHash(tmp, info.size);
      await chmod(tmp, 0o444);
      await rename(tmp, data);
      const final = await stat(data);
      const meta: Meta = { etag: blob.etag, size: final.size, mtimeMs: final.mtimeMs, ino: final.ino, hash };
      await writeFile(`${data}.json.${tag}.tmp`, JSON.stringify(meta));
      await rename(`${data}.json.${tag}.tmp`, `${data}.json`);
      return meta;
    } catch (err) {
      await rm(tmp, { force: true });
      if (storageStatus(err) === 412) throw new TransientError(`${blob.name} changed while it was being downloaded; try again`);
      throw storageError(err, `downloading ${blob.name}`);
    }
  }
}
