import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseReply } from '../../shared/compute/local/launcher-replies';

describe('parseReply: the launcher protocol, one JSON object per line', () => {
  it('takes the five reply shapes', () => {
    assert.deepEqual(parseReply('{"id": 3, "pid": 4242}'), { id: 3, pid: 4242 });
    assert.deepEqual(parseReply('{"id": 3, "error": "No such file or directory: /nope"}'), { id: 3, error: 'No such file or directory: /nope' });
    assert.deepEqual(parseReply('{"id": 3, "dropped": true}'), { id: 3, dropped: true });
    assert.deepEqual(parseReply('{"exit": 4242, "code": 0}'), { exit: 4242, code: 0 });
    assert.deepEqual(parseReply('{"exit": 4242, "code": -1}'), { exit: 4242, code: -1 });
    assert.deepEqual(parseReply('{"signal": "SIGTERM", "exit": 4242}'), { exit: 4242, signal: 'SIGTERM' });
  });

  it('refuses anything else: not JSON, extra or missing keys, wrong types, impossible pids', () => {
    for (const line of [
      'Traceback (most recent call last):',
      '',
      'null',
      '[1, 2]',
      '{"id": 3}',
      '{"id": 3, "pid": 4242, "extra": true}',
      '{"id": "3", "pid": 4242}',
      '{"id": 3, "pid": 0}',
      '{"id": 3, "pid": 1.5}',
      '{"exit": -5, "code": 0}',
      '{"exit": 4242, "code": "0"}',
      '{"exit": 4242, "signal": 9}',
      '{"id": 3, "dropped": false}',
      '{"exit": 4242, "code": 0, "signal": "SIGKILL"}',
    ]) {
      assert.equal(parseReply(line), undefined, line);
    }
  });
});
