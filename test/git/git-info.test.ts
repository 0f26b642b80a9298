import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { readGitInfo } from '../../shared/git/git-info';
import { tempDir } from '../snapshot/helpers';

/** Runs git in `dir` with no user or system config, so the test sees only what it sets up. */
function git(dir: string, ...args: string[]): string {
  const env = { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
  return execFileSync('git', ['-C', dir, ...args], { env, encoding: 'utf8' }).trim();
}

describe('readGitInfo', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let repo: string;

  beforeEach(async () => {
    tmp = await tempDir('git');
    repo = tmp.dir;
    git(repo, 'init', '--quiet', '--initial-branch=main');
    git(repo, 'config', 'user.name', 'Test User');
    git(repo, 'config', 'user.email', 'test@example.invalid');
    git(repo, 'config', 'commit.gpgsign', 'false');
    await writeFile(path.join(repo, 'main.py'), 'print(1)\n');
    git(repo, 'add', 'main.py');
    git(repo, 'commit', '--quiet', '-m', 'first');
  });
  afterEach(() => tmp.cleanup());

  it('reads commit and branch of a clean checkout', async () => {
    assert.deepEqual(await readGitInfo(repo), { commit: git(repo, 'rev-parse', 'HEAD'), branch: 'main', dirty: false });
  });

  it('reads from a subfolder of the checkout', async () => {
    await mkdir(path.join(repo, 'src'));
    await writeFile(path.join(repo, 'src', 'train.py'), '');
    git(repo, 'add', 'src');
    git(repo, 'commit', '--quiet', '-m', 'second');
    assert.deepEqual(await readGitInfo(path.join(repo, 'src')), { commit: git(repo, 'rev-parse', 'HEAD'), branch: 'main', dirty: false });
  });

  it('marks a modified tracked file as dirty', async () => {
    await writeFile(path.join(repo, 'main.py'), 'print(2)\n');
    assert.equal((await readGitInfo(repo))?.dirty, true);
  });

  it('marks an untracked file as dirty', async () => {
    await writeFile(path.join(repo, 'new.py'), '');
    assert.equal((await readGitInfo(repo))?.dirty, true);
  });

  it('reads commit and branch of a checkout whose status fails (a damaged index), and calls it dirty', async () => {
    await writeFile(path.join(repo, '.git', 'index'), 'not an index');
    assert.deepEqual(await readGitInfo(repo), { commit: git(repo, 'rev-parse', 'HEAD'), branch: 'main', dirty: true });
  });

  it('has no branch on a detached HEAD', async () => {
    const commit = git(repo, 'rev-parse', 'HEAD');
    git(repo, 'checkout', '--quiet', '--detach', commit);
    assert.deepEqual(await readGitInfo(repo), { commit, dirty: false });
  });

  it('records the origin remote without credentials', async () => {
    git(repo, 'remote', 'add', 'backup', 'https://example.com/backup.git');
    git(repo, 'remote', 'add', 'origin', 'https://user:secret-token@example.com/org/repo.git');
    const info = await readGitInfo(repo);
    assert.equal(info?.remoteUrl, 'https://example.com/org/repo.git');
    assert.doesNotMatch(JSON.stringify(info), /secret-token|user/);
  });

  it('falls back to the first remote when there is no origin', async () => {
    git(repo, 'remote', 'add', 'upstream', 'git@example.com:org/repo.git');
    assert.equal((await readGitInfo(repo))?.remoteUrl, 'git@example.com:org/repo.git');
  });

  it('is undefined outside a repository and in a repository without commits', async () => {
    const plain = await tempDir('not-git');
    try {
      assert.equal(await readGitInfo(plain.dir), undefined);
      git(plain.dir, 'init', '--quiet');
      assert.equal(await readGitInfo(plain.dir), undefined);
      assert.equal(await readGitInfo(path.join(plain.dir, 'does-not-exist')), undefined);
    } finally {
      await plain.cleanup();
    }
  });

  it('reads the repository of the folder even when GIT_DIR points elsewhere (as inside a git hook)', async () => {
    const other = await tempDir('git-other');
    const commit = git(repo, 'rev-parse', 'HEAD');
    process.env.GIT_DIR = path.join(other.dir, '.git');
    try {
      assert.equal((await readGitInfo(repo))?.commit, commit);
    } finally {
      delete process.env.GIT_DIR;
      await other.cleanup();
    }
  });

  it('is undefined when git is not installed', async () => {
    const saved = process.env.PATH;
    process.env.PATH = path.join(tmp.dir, 'no-bin');
    try {
      assert.equal(await readGitInfo(repo), undefined);
    } finally {
      process.env.PATH = saved;
    }
  });
});
