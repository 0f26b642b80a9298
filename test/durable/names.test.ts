import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInstanceId, stepInstanceId } from '../../functions/durable/names';

const valid = (id: string): boolean => id.length >= 1 && id.length <= 100 && !/[/\\#?]/.test(id) && !id.startsWith('@');

describe('Durable instance ids', () => {
  it('are the run id for a run and <runId>~<step> for a step', () => {
    assert.equal(runInstanceId('iris_20250101T000000_abc123'), 'iris_20250101T000000_abc123');
    assert.equal(stepInstanceId('iris_20250101T000000_abc123', 'train_knn'), 'iris_20250101T000000_abc123~train_knn');
  });

  it('stay within 100 characters, deterministic and distinct, when run id and step name are long', () => {
    const runId = `r${'x'.repeat(99)}`;
    const a = stepInstanceId(runId, `step_${'a'.repeat(200)}`);
    const b = stepInstanceId(runId, `step_${'a'.repeat(199)}b`);
    assert.ok(valid(a) && valid(b), `${a} / ${b}`);
    assert.equal(a, stepInstanceId(runId, `step_${'a'.repeat(200)}`));
    assert.notEqual(a, b);
    assert.ok(a.startsWith(`${runId.slice(0, 40)}~step_`));
  });
});
