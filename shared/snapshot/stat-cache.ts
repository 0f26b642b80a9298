/**
 * Remembers, per source folder, each file's stat (size, mtime, ctime, inode) and sha256, so an
 * unchanged file is not read again. A hit needs all four to match; content hashes still decide the
 * snapshot id, so touching a file costs one re-hash and changes nothing.
 *
 * Stored as one tab-separated line per file in `<folder>/<sha256(codeDir)>.tsv`, written to a
 * temporary name and renamed. Snapshot paths never contain tabs or newlines (control characters
 * are rejected), so the format needs no quoting; malformed lines are dropped, never trusted.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isMissing } from './fs-errors';
import { sha256Text } from './manifest';

export interface CachedStat {
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  ino: bigint;
  sha256: string;
}

const HEADER = 'tributary-stat-cache 1';
/** path, size, mtimeNs, ctimeNs, inode, sha256 */
const LINE = /^([^\t]+)\t(\d+)\t(\d+)\t(\d+)\t(\d+)\t([0-9a-f]{64})$/;

export class StatCache {
  constructor(readonly folder: string) {}

  async load(codeDir: string): Promise<Map<string, CachedStat>> {
    const entries = new Map<string, CachedStat>();
    let text: string;
    try {
      text = await readFile(this.fileOf(codeDir), 'utf8');
    } catch (err) {
      if (isMissing(err)) return entries;
      throw err;
    }
    const lines = text.split('\n');
    if (lines[0] !== `${HEADER}\t${codeDir}`) return entries;
    for (const line of lines.slice(1)) {
      const m = LINE.exec(line);
      if (!m) continue;
      entries.set(m[1]!, { size: BigInt(m[2]!), mtimeNs: BigInt(m[3]!), ctimeNs: BigInt(m[4]!), ino: BigInt(m[5]!), sha256: m[6]! });
    }
    return entries;
  }

  async save(codeDir: string, entries: ReadonlyMap<string, CachedStat>): Promise<void> {
    const lines = [`${HEADER}\t${codeDir}`];
    for (const [rel, e] of entries) lines.push(`${rel}\t${e.size}\t${e.mtimeNs}\t${e.ctimeNs}\t${e.ino}\t${e.sha256}`);
    const file = this.fileOf(codeDir);
    const temp = `${file}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
    await mkdir(this.folder, { recursive: true });
    try {
      await writeFile(temp, lines.join('\n'));
      await rename(temp, file);
    } finally {
      await rm(temp, { force: true });
    }
  }

  private fileOf(codeDir: string): string {
    return path.join(this.folder, `${sha256Text(codeDir)}.tsv`);
  }
}
