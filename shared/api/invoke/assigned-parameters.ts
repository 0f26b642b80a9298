/**
 * An invocation's assignments checked against the published pipeline's inputs: the parameter
 * overrides of the run. Names first (every own key the caller sent, "__proto__" included, must be
 * an input), then values. Over HTTP a data input (uri_folder, uri_file) takes only data on a
 * datastore — `azureml://datastores/<name>/paths/<path>`, or DataPathAssignments — as in Azure ML:
 * any other text would be a path on the server, which would read it and upload it. Defaults are
 * the publisher's (frozen at publish) and are not assignments.
 */
import { datastoreNameProblem, datastorePathProblem } from '../../datastore/datastore-uri';
import { ProblemList } from '../../errors';
import type { PipelineDefinition, PipelineInputSpec, ScalarValue } from '../../model/definition';
import { describeValue, parseDatastoreUri } from '../../model/parameters';
import type { Assignment } from './invoke-body';

const DATA_PATH_SHAPE = '{"DataStoreName": "<datastore>", "RelativePath": "<path>"}';

/** Input name → value as the run's overrides; one ValidationError listing every problem. */
export function assignedParameters(definition: PipelineDefinition, assignments: readonly Assignment[]): Record<string, ScalarValue> {
  const problems = new ProblemList();
  const known = Object.keys(definition.inputs).join(', ') || 'none';
  const overrides = new Map<string, ScalarValue>();
  for (const assignment of assignments) {
    const spec = Object.hasOwn(definition.inputs, assignment.name) ? definition.inputs[assignment.name] : undefined;
    const value = !spec
      ? unknownInput(assignment, known, problems)
      : assignment.field === 'DataPathAssignments'
        ? dataPathValue(assignment, spec, problems)
        : parameterValue(assignment, spec, problems);
    if (value !== undefined) overrides.set(assignment.name, value);
  }
  problems.throwIfAny();
  return Object.fromEntries(overrides);
}

function unknownInput({ field, name }: Assignment, known: string, problems: ProblemList): undefined {
  if (field === 'DataPathAssignments') problems.add(`unknown pipeline input (known: ${known})`, `${field}.${name}`);
  else problems.add(`inputs.${name}: unknown pipeline input (known: ${known})`, field);
  return undefined;
}

/** A ParameterAssignments value: a JSON scalar (typed later by resolveParameters); for a data input, a datastore URI. */
function parameterValue({ field, name, value }: Assignment, spec: PipelineInputSpec, problems: ProblemList): ScalarValue | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    problems.add(`inputs.${name}: wrong parameter type: expected ${spec.type}, got ${describeSent(value)}`, field);
    return undefined;
  }
  if (spec.type !== 'uri_folder' && spec.type !== 'uri_file') return value;
  if (typeof value === 'string' && value.startsWith('azureml:')) {
    const parsed = parseDatastoreUri(value);
    if ('problem' in parsed) problems.add(`inputs.${name}: ${parsed.problem}`, field);
    return 'problem' in parsed ? undefined : value;
  }
  problems.add(
    `inputs.${name}: ${describeValue(value)} is not a datastore URI; over HTTP a ${spec.type} input takes ` +
      `azureml://datastores/<datastore>/paths/<path> (put local data there first, e.g. with tributary datastore upload) ` +
      `or DataPathAssignments {"${name}": ${DATA_PATH_SHAPE}}; the server does not read local paths`,
    field,
  );
  return undefined;
}

/** A DataPathAssignments value, `{DataStoreName, RelativePath}`, as the datastore URI it names (data inputs only). */
function dataPathValue({ field, name, value }: Assignment, spec: PipelineInputSpec, problems: ProblemList): ScalarValue | undefined {
  const at = `${field}.${name}`;
  if (spec.type !== 'uri_folder' && spec.type !== 'uri_file') {
    problems.add(`input "${name}" has type ${spec.type}; DataPathAssignments takes uri_folder and uri_file inputs (assign this one in ParameterAssignments)`, at);
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    problems.add(`expected ${DATA_PATH_SHAPE}, got ${describeSent(value)}`, at);
    return undefined;
  }
  const { DataStoreName: datastore, RelativePath: relative } = value as Record<string, unknown>;
  const datastoreProblem = typeof datastore === 'string' ? datastoreNameProblem(datastore) : `expected a datastore name, got ${describeSent(datastore)}`;
  const pathProblem =
    typeof relative !== 'string'
      ? `expected a path in the datastore, got ${describeSent(relative)}`
      : datastorePathProblem(relative.endsWith('/') ? relative.slice(0, -1) : relative);
  if (datastoreProblem) problems.add(datastoreProblem, `${at}.DataStoreName`);
  if (pathProblem) problems.add(typeof relative === 'string' ? `path ${describeValue(relative)} ${pathProblem}` : pathProblem, `${at}.RelativePath`);
  if (datastoreProblem || pathProblem) return undefined;
  return `azureml://datastores/${String(datastore)}/paths/${String(relative)}`;
}

function describeSent(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return describeValue(value);
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
