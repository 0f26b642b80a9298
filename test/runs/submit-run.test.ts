import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../shared/errors';
import type { PipelineDefinition, StepDefinition } from '../../shared/model/definition';
import { checkSubmission } from '../../shared/runs/submit-run';

function step(name: string, kind: StepDefinition['kind'], compute: string): StepDefinition {
  return {
    name,
    kind,
    command: 'true',
    compute,
    inputs: {},
    outputs: {},
    environmentVariables: {},
    allowReuse: true,
    retry: { maxAttempts: 1, initialDelaySeconds: 0 },
    origin: `test:${name}`,
  };
}

function definition(steps: StepDefinition[]): PipelineDefinition {
  return {
    schemaVersion: 1,
    name: 'p',
    continueOnStepFailure: false,
    inputs: {},
    outputs: {},
    steps: Object.fromEntries(steps.map((s) => [s.name, s])),
    source: 'test',
  };
}

describe('checkSubmission', () => {
  it('rejects a Databricks step mapped onto local compute, naming the step', () => {
    const def = definition([step('nb', 'databricks', 'azureml:dbx'), step('cmd', 'command', 'local')]);
    assert.throws(
      () => checkSubmission({ definition: def, knownComputes: ['local'], options: { computeMap: { 'azureml:dbx': 'local' } } }),
      (err: unknown) => err instanceof ValidationError && /test:nb: step "nb" is a databricks step; local compute runs only command steps/.test(err.message),
    );
  });

  it('applies the compute map before checking compute names', () => {
    const def = definition([step('a', 'command', 'azureml:cpu')]);
    assert.throws(() => checkSubmission({ definition: def, knownComputes: ['local'] }), /azureml:cpu/);
    const checked = checkSubmission({ definition: def, knownComputes: ['local'], options: { computeMap: { 'azureml:cpu': 'local' } } });
    assert.equal(checked.experiment, 'p');
  });

  it('rejects an experiment name that is not a safe name', () => {
    const def = definition([step('a', 'command', 'local')]);
    assert.throws(() => checkSubmission({ definition: def, knownComputes: ['local'], experiment: '../etc' }), /experiment name/);
  });
});
