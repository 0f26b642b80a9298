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
  // All at once: outside a checkout the answers other than the commit's are simply not used.
  const [commit, branch, status, remotes] = await Promise.all([
    git(dir, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']),
    git(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']),
    git(dir, ['status', '--porcelain']),
    git(dir, ['remote']),
  ]);
  if (!commit) return undefined;
  const names = (remotes ?? '').split('\n').filter(Boolean);
  const remote = names.includes('origin') ? 'origin' : names[0];
  const remoteUrl = remote ? await git(dir, ['remote', 'get-url', remote]) : undefined;
  return {
    commit,
    ...(branch ? { branch } : {}),
    // Untracked files count as dirty too (they are in the snapshot, not in the commit); a failed
    // status is reported dirty rather than clean.
    dirty: status !== '',
    ...(remoteUrl ? { remoteUrl: stripCredentials(remoteUrl) } : {}),
  };
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
