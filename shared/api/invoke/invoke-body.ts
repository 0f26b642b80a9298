/**
 * The body of an invocation, as Azure ML's REST endpoint takes it:
 * `{"ExperimentName": "...", "ParameterAssignments": {...}}`, plus the other PipelineSubmissionInfo
 * fields its clients send. Honoured: ExperimentName, ParameterAssignments (or the older
 * PipelineParameters), DataPathAssignments, EnforceRerun (regenerate outputs), ContinueOnStepFailure,
 * PipelineVersion (endpoints). Accepted and not used: the fields in IGNORED. Anything else is
 * reported back as a warning, so a misspelt field is seen rather than silently dropped.
 *
 * The assignments are kept as sent (each with the field it came in): their names and values are
 * checked against the published pipeline's inputs by `assignedParameters`.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ValidationError } from '../../errors';
import { SAFE_NAME } from '../../util/safe-names';
import { parseWith } from '../validate';

const IGNORED = [
  'RunSource', 'RunType', 'Description', 'DisplayName', 'Tags', 'Properties', 'StepTags', 'StepDisplayNames',
  'DataSetDefinitionValueAssignments', 'AssetOutputSettingsAssignments', 'ContinueRunOnFailedOptionalInput', 'EnableStepDebugging',
];

/**
 * A JSON object of input name → value, kept as sent: z.record would drop an own "__proto__" key
 * without a word, where it must be reported like any other name the pipeline does not have.
 */
const assignmentObject = z.custom<Record<string, unknown>>(
  (value) => typeof value === 'object' && value !== null && !Array.isArray(value),
  'expected an object of input name → value',
);

export const invokeBodySchema = z.looseObject({
  ExperimentName: z
    .string()
    .regex(SAFE_NAME, 'use letters, digits, "_" and "-", starting with a letter or "_"')
    .optional(),
  ParameterAssignments: assignmentObject.optional(),
  PipelineParameters: assignmentObject.optional(),
  DataPathAssignments: assignmentObject.optional(),
  EnforceRerun: z.boolean().optional(),
  ContinueOnStepFailure: z.boolean().optional(),
  PipelineVersion: z.string().optional(),
});

/** The request field an assignment came in; errors about it name this field. */
export type AssignmentField = 'ParameterAssignments' | 'PipelineParameters' | 'DataPathAssignments';

/** One input the caller assigned, with the value as sent (not yet checked). */
export interface Assignment {
  field: AssignmentField;
  name: string;
  value: unknown;
}

export interface Invocation {
  experimentName?: string;
  /** Every own key of the assignment objects, in the order sent. */
  assignments: Assignment[];
  /** Where scalar parameters came from (the field named in their errors). */
  parametersField: 'ParameterAssignments' | 'PipelineParameters';
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
  const parametersField = parsed.PipelineParameters ? 'PipelineParameters' : 'ParameterAssignments';
  const assignments = [
    ...entries(parametersField, parsed[parametersField]),
    ...entries('DataPathAssignments', parsed.DataPathAssignments),
  ];
  const assigned = new Set<string>();
  for (const { field, name } of assignments) {
    if (assigned.has(name)) throw new ValidationError(`"${name}" is assigned in both ${parametersField} and DataPathAssignments`, `${field}.${name}`);
    assigned.add(name);
  }
  const known = new Set([...Object.keys(invokeBodySchema.shape), ...IGNORED]);
  const warnings = Object.keys(body)
    .filter((key) => !known.has(key))
    .map((key) => `unknown field "${key}" was ignored`);
  const decisive = {
    experimentName: parsed.ExperimentName ?? null,
    assignments: assignments
      .map((a) => ({ name: a.name, dataPath: a.field === 'DataPathAssignments', value: a.value }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    regenerateOutputs: parsed.EnforceRerun ?? false,
    continueOnStepFailure: parsed.ContinueOnStepFailure ?? null,
    pipelineVersion: parsed.PipelineVersion ?? null,
  };
  return {
    ...(parsed.ExperimentName !== undefined ? { experimentName: parsed.ExperimentName } : {}),
    assignments,
    parametersField,
    regenerateOutputs: decisive.regenerateOutputs,
    ...(parsed.ContinueOnStepFailure !== undefined ? { continueOnStepFailure: parsed.ContinueOnStepFailure } : {}),
    ...(parsed.PipelineVersion !== undefined ? { pipelineVersion: parsed.PipelineVersion } : {}),
    warnings,
    fingerprint: createHash('sha256').update(canonicalJson(decisive)).digest('hex'),
  };
}

function entries(field: AssignmentField, object: Record<string, unknown> | undefined): Assignment[] {
  return Object.entries(object ?? {}).map(([name, value]) => ({ field, name, value }));
}

/** JSON with object keys sorted, so key order in the request does not change the fingerprint. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
