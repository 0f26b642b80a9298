/**
 * Which files a snapshot leaves out, with Azure ML's rules: in each folder `.amlignore` is used if
 * present, else `.gitignore` (never both); both use gitignore syntax, matched by the `ignore`
 * library; patterns apply relative to the folder of their file. (`.git` is left out by the walk,
 * so no negation can bring it back.)
 *
 * Rules of nested files are rewritten relative to the source root and appended to the rules of
 * the folders above, so one matcher per folder holds everything in git's precedence order (later
 * rules win, deeper files come later). This keeps git's behaviour where a deeper file re-includes
 * a folder a shallower one excluded, which testing each file separately cannot.
 */
import ignore, { type Ignore } from 'ignore';

export const IGNORE_FILES = ['.amlignore', '.gitignore'] as const;

/** The ignore file that governs a folder, given the names in it. */
export function governingIgnoreFile(names: ReadonlySet<string>): string | undefined {
  return IGNORE_FILES.find((name) => names.has(name));
}

export class IgnoreRules {
  private constructor(private readonly matcher: Ignore) {}

  static root(): IgnoreRules {
    return new IgnoreRules(ignore({ allowRelativePaths: true }));
  }

  /** Rules for a folder at `folder` (relative, `/`-separated, '' for the root) with its ignore file's text. */
  withFile(folder: string, text: string): IgnoreRules {
    const patterns = text.split(/\r?\n/).flatMap((line) => rebase(line, folder));
    return new IgnoreRules(ignore({ allowRelativePaths: true }).add(this.matcher).add(patterns));
  }

  ignores(relPath: string, isDirectory: boolean): boolean {
    return this.matcher.ignores(isDirectory ? `${relPath}/` : relPath);
  }
}

/** One gitignore line from a file in `folder`, as a pattern relative to the source root. */
export function rebase(line: string, folder: string): string[] {
  if (line.trim() === '' || line.startsWith('#')) return [];
  if (folder === '') return [line];
  const negated = line.startsWith('!');
  const body = negated ? line.slice(1) : line;
  // gitignore: a slash at the start or middle anchors the pattern to its folder; otherwise it matches at any depth.
  const anchored = body.replace(/\/+$/, '').includes('/');
  const prefix = folder.split('/').map(escapeGlob).join('/');
  const rebased = anchored ? `${prefix}/${body.replace(/^\//, '')}` : `${prefix}/**/${body}`;
  return [negated ? `!${rebased}` : rebased];
}

function escapeGlob(segment: string): string {
  return segment.replace(/[\\*?[\]!#]/g, '\\$&');
}
