/**
 * What a run records about the git checkout its source came from: commit, branch, dirty flag
 * and remote URL, read with the `git` CLI (no shell). Anything that is not a git checkout with at
 * least one commit, or a machine without git, gives undefined: git info is a nicety, never a
 * reason for a submission to fail.
 */
import { execFile } from 'node:child_process';
import type { GitInfo } from '../store/records';
import { stripCredentials } from './remote-url';

export async function readGitInfo(dir: string): Promise<GitInfo | undefined> {
  // Two processes at once, the usual answer; more only when the status fails.
  const [status, remotes] = await Promise.all([
    git(dir, ['status', '--porcelain=v2', '--branch', '--no-ahead-behind']),
    git(dir, ['remote', '-v']),
  ]);
  const head = status === undefined ? await headAskedOneByOne(dir) : headFromStatus(status);
  if (!head) return undefined;
  const remoteUrl = preferredRemoteUrl(remotes ?? '');
  return { ...head, ...(remoteUrl ? { remoteUrl: stripCredentials(remoteUrl) } : {}) };
}

type Head = Pick<GitInfo, 'commit' | 'branch' | 'dirty'>;

/**
 * `git status --porcelain=v2 --branch` names the commit (`# branch.oid`, `(initial)` before the
 * first one) and the branch (`# branch.head`, `(detached)` without one); any other line is a
 * change. Untracked files count as dirty too: they are in the snapshot, not in the commit.
 */
function headFromStatus(status: string): Head | undefined {
  let commit: string | undefined;
  let branch: string | undefined;
  let dirty = false;
  for (const line of status.split('\n')) {
    if (line.startsWith('# branch.oid ')) commit = line.slice('# branch.oid '.length);
    else if (line.startsWith('# branch.head ')) branch = line.slice('# branch.head '.length);
    else if (line !== '' && !line.startsWith('#')) dirty = true;
  }
  if (commit === undefined || commit === '(initial)') return undefined;
  return { commit, ...(branch !== undefined && branch !== '(detached)' ? { branch } : {}), dirty };
}

/** When that status fails (outside a checkout, an older git, a damaged index): each question on its own; a failed status is reported dirty rather than clean. */
async function headAskedOneByOne(dir: string): Promise<Head | undefined> {
  const commit = await git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  if (!commit) return undefined;
  const [branch, status] = await Promise.all([git(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']), git(dir, ['status', '--porcelain'])]);
  return { commit, ...(branch ? { branch } : {}), dirty: status !== '' };
}

/** From `git remote -v`: the fetch URL of `origin`, else of the first remote listed. */
function preferredRemoteUrl(listing: string): string | undefined {
  const fetchUrls = new Map<string, string>();
  for (const line of listing.split('\n')) {
    const match = /^(\S+)\t(.*) \(fetch\)$/.exec(line);
    if (match && !fetchUrls.has(match[1]!)) fetchUrls.set(match[1]!, match[2]!);
  }
  return fetchUrls.get('origin') ?? fetchUrls.values().next().value;
}

const REPO_OVERRIDES = new Set(['GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE', 'GIT_COMMON_DIR', 'GIT_OBJECT_DIRECTORY']);

/** Trimmed stdout, or undefined when git is missing, fails or times out. */
function git(dir: string, args: string[]): Promise<string | undefined> {
  // GIT_DIR and friends (set inside git hooks) would point git at another repository than `dir`.
  const inherited = Object.entries(process.env).filter(([name]) => !REPO_OVERRIDES.has(name));
  const env = { ...Object.fromEntries(inherited), GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', LC_ALL: 'C' };
  return new Promise((resolve) => {
    // core.fsmonitor may name a program to run; reading metadata never needs it.
    execFile('git', ['-C', dir, '-c', 'core.fsmonitor=false', ...args], { env, timeout: 10_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      resolve(err ? undefined : stdout.trim());
    });
  });
}
