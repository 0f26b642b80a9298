/**
 * The body of an invocation, as Azure ML's REST endpoint takes it:
 * `{"ExperimentName": "...", "ParameterAssignments": {...}}`, plus the other PipelineSubmissionInfo
 * fields its clients send. Honoured: ExperimentName, ParameterAssignments (or the older
 * PipelineParameters), DataPathAssignments, EnforceRerun (regenerate outputs), ContinueOnStepFailure,
 * PipelineVersion (endpoints). Accepted and not used: the fields in IGNORED. Anything else is
 * reported back as a warning, so a misspelt field is seen rather than silently dropped.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../../errors';
import type { ScalarValue } from '../../model/definition';
import { SAFE_NAME } from '../../util/safe-names';
import { parseWith } from '../validate';

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const assignments = z.record(z.string(), scalar);

const IGNORED = [
  'RunSource', 'RunType', 'Description', 'DisplayName', 'Tags', 'Properties', 'StepTags', 'StepDisplayNames',
  'DataSetDefinitionValueAssignments', 'AssetOutputSettingsAssignments', 'ContinueRunOnFailedOptionalInput', 'EnableStepDebugging',
];

export const invokeBodySchema = z.looseObject({
  ExperimentName: z
    .string()
    .regex(SAFE_NAME, 'use letters, digits, "_" and "-", starting with a letter or "_"')
    .optional(),
  ParameterAssignments: assignments.optional(),
  PipelineParameters: assignments.optional(),
  DataPathAssignments: z.record(z.string(), z.looseObject({ DataStoreName: z.string().min(1), RelativePath: z.string().min(1) })).optional(),
  EnforceRerun: z.boolean().optional(),
  ContinueOnStepFailure: z.boolean().optional(),
  PipelineVersion: z.string().optional(),
});

export interface Invocation {
  experimentName?: string;
  /** Parameter overrides as sent (type-checked later against the published definition). */
  parameters: Record<string, ScalarValue>;
  regenerateOutputs: boolean;
  continueOnStepFailure?: boolean;
  pipelineVersion?: string;
  /** Fields we do not know, named in the response. */
  warnings: string[];
  /** Identifies the request for Idempotency-Key reuse checks. */
  fingerprint: string;
}

export function parseInvocation(body: unknown): Invocation {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('the body must be a JSON object like {"ExperimentName": "...", "ParameterAssignments": {...}}', 'body');
  }
  const parsed = parseWith(invokeBodySchema, body, '');
  if (parsed.ParameterAssignments && parsed.PipelineParameters) {
    throw new ValidationError('send ParameterAssignments or PipelineParameters, not both', 'PipelineParameters');
  }
  const parameters: Record<string, ScalarValue> = { ...(parsed.ParameterAssignments ?? parsed.PipelineParameters ?? {}) };
  for (const [name, ref] of Object.entries(parsed.DataPathAssignments ?? {})) {
    if (Object.hasOwn(parameters, name)) throw new ValidationError(`"${name}" is assigned in both ParameterAssignments and DataPathAssignments`, `DataPathAssignments.${name}`);
    parameters[name] = `azureml://datastores/${ref.DataStoreName}/paths/${ref.RelativePath}`;
  }
  const known = new Set([...Object.keys(invokeBodySchema.shape), ...IGNORED]);
  const warnings = Object.keys(body)
    .filter((key) => !known.has(key))
    .map((key) => `unknown field "${key}" was ignored`);
  const decisive = {
    experimentName: parsed.ExperimentName ?? null,
    parameters: Object.fromEntries(Object.entries(parameters).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    regenerateOutputs: parsed.EnforceRerun ?? false,
    continueOnStepFailure: parsed.ContinueOnStepFailure ?? null,
    pipelineVersion: parsed.PipelineVersion ?? null,
  };
  return {
    ...(parsed.ExperimentName !== undefined ? { experimentName: parsed.ExperimentName } : {}),
    parameters,
    regenerateOutputs: decisive.regenerateOutputs,
    ...(parsed.ContinueOnStepFailure !== undefined ? { continueOnStepFailure: parsed.ContinueOnStepFailure } : {}),
    ...(parsed.PipelineVersion !== undefined ? { pipelineVersion: parsed.PipelineVersion } : {}),
    warnings,
    fingerprint: createHash('sha256').update(JSON.stringify(decisive)).digest('hex'),
  };
}
