import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { stripCredentials } from '../../shared/git/remote-url';

describe('stripCredentials', () => {
  const cases: [input: string, expected: string][] = [
    ['https://user:token@example.com/org/repo.git', 'https://example.com/org/repo.git'],
    ['https://ghp_abc123@example.com/org/repo.git', 'https://example.com/org/repo.git'],
    ['http://user:p%40ss@example.com:8080/x', 'http://example.com:8080/x'],
    ['HTTPS://u:p@Example.com/x', 'HTTPS://Example.com/x'],
    ['https://user:pa@ss@example.com/x', 'https://example.com/x'],
    ['https://example.com/org/repo.git', 'https://example.com/org/repo.git'],
    ['https://example.com/path/with@at', 'https://example.com/path/with@at'],
    ['ssh://git:secret@example.com/org/repo.git', 'ssh://git@example.com/org/repo.git'],
    ['ssh://git@example.com:22/org/repo.git', 'ssh://git@example.com:22/org/repo.git'],
    ['git@example.com:org/repo.git', 'git@example.com:org/repo.git'],
    ['/srv/git/repo.git', '/srv/git/repo.git'],
    ['file:///srv/git/repo.git', 'file:///srv/git/repo.git'],
  ];
  for (const [input, expected] of cases) {
    it(input, () => assert.equal(stripCredentials(input), expected));
  }
});
