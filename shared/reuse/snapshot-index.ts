/**
 * A snapshot manifest seen the way a reuse decision needs it: the state of a path (a file's
 * content and mode, a folder, nothing) and of a folder listing, and a digest of the files that
 * read narrowing never leaves out of a key. Pure.
 *
 * Narrowing drops only Python source files (`.py`, `.pyc`) that a step never observed. Those are
 * used only by the interpreter, which opens, lists or stats them through calls the audit hook
 * sees. Every other file stays in the key, because native code (an image library, HDF5, a model
 * loader) can read it without Python noticing.
 */
import { createHash } from 'node:crypto';
import type { ManifestEntry, SnapshotManifest } from '../snapshot/manifest';
import { reuseKey } from './key-material';

const NARROWABLE = /\.pyc?$/;

export function isNarrowable(relPath: string): boolean {
  return NARROWABLE.test(relPath);
}

/** An observation to check: `r:<path>` (opened or stat'ed) or `l:<folder>` (listed); '' is the root. */
export type CheckItem = `r:${string}` | `l:${string}`;

export class SnapshotIndex {
  private readonly files = new Map<string, ManifestEntry>();
  /** Folder ('' = root) → names directly in it. */
  private readonly children = new Map<string, Set<string>>([['', new Set()]]);
  private fixed?: string;

  constructor(
    readonly id: string,
    readonly manifest: SnapshotManifest,
  ) {
    for (const entry of manifest.files) {
      this.files.set(entry.path, entry);
      const parts = entry.path.split('/');
      for (let i = 0; i < parts.length; i++) {
        const folder = parts.slice(0, i).join('/');
        let names = this.children.get(folder);
        if (!names) this.children.set(folder, (names = new Set()));
        names.add(parts[i]!);
      }
    }
  }

  file(relPath: string): ManifestEntry | undefined {
    return this.files.get(relPath);
  }

  /** sha256 over path, size, content hash and mode of every file narrowing keeps. */
  fixedDigest(): string {
    if (this.fixed === undefined) {
      const hash = createHash('sha256');
      for (const f of this.manifest.files) if (!isNarrowable(f.path)) hash.update(`${f.path}\0${f.size}\0${f.sha256}\0${f.mode}\n`);
      this.fixed = hash.digest('hex');
    }
    return this.fixed;
  }

  /**
   * What a process observes through `item` in a folder materialised from this snapshot: a file's
   * content hash and mode, `d` for a folder, the sorted names of a listed folder, `-` for nothing.
   */
  state(item: CheckItem): string {
    const rel = item.slice(2);
    const file = this.files.get(rel);
    if (file) return item.startsWith('r:') ? `f:${file.sha256}:${file.mode.toString(8)}` : 'f';
    const names = this.children.get(rel);
    if (!names) return '-';
    return item.startsWith('r:') ? 'd' : `l:${[...names].sort().join('/')}`;
  }
}

/** First key of the narrowed index: everything but the snapshot, plus every file narrowing keeps. */
export function narrowRootKey(coarse: string, index: SnapshotIndex): string {
  return reuseKey('narrow', coarse, index.fixedDigest());
}

/** The next key down the index: the states of `items` in this snapshot, chained onto `parent`. */
export function childKey(parent: string, items: readonly CheckItem[], index: SnapshotIndex): string {
  return reuseKey('node', parent, ...items.map((item) => `${item}=${index.state(item)}`));
}
