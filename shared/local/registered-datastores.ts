/**
 * Every datastore a local submission reads from must be registered in the workspace; otherwise
 * the step reading it would fail once the run is under way, after the run was recorded.
 */
import { listDatastores } from '../datastore/blob/datastore-registry';
import { ProblemList } from '../errors';
import { parseDatastoreUri } from '../model/parameters';
import type { CheckedSubmission } from '../runs/submit-run';
import type { Workspace } from '../workspace/workspace';

export function checkDatastoresRegistered(workspace: Workspace, checked: CheckedSubmission): void {
  const known = listDatastores(workspace).map((d) => d.name);
  const problems = new ProblemList();
  const unknown = (datastore: string | undefined): string | undefined =>
    datastore === undefined || known.includes(datastore)
      ? undefined
      : `datastore "${datastore}" is not registered (known: ${known.join(', ')}; register it with: tributary datastore register ${datastore} --container CONTAINER)`;
  const { definition: def, parameters: given, parametersSource } = checked.request;
  for (const step of Object.values(def.steps)) {
    for (const [name, { binding }] of Object.entries(step.inputs)) {
      const problem = unknown(binding?.kind === 'datastorePath' ? binding.datastore : binding?.kind === 'literal' ? datastoreOf(binding.value) : undefined);
      if (problem) problems.add(`steps.${step.name}.inputs.${name}: ${problem}`, step.origin);
    }
  }
  for (const [name, value] of Object.entries(checked.parameters)) {
    const problem = unknown(datastoreOf(value));
    if (problem) problems.add(`inputs.${name}: ${problem}`, Object.hasOwn(given ?? {}, name) ? (parametersSource ?? 'parameters') : def.source);
  }
  problems.throwIfAny();
}

/** The datastore an `azureml://datastores/NAME/paths/...` value names; undefined for anything else. */
function datastoreOf(value: unknown): string | undefined {
  if (typeof value !== 'string' || !value.startsWith('azureml://datastores/')) return undefined;
  const parsed = parseDatastoreUri(value);
  return 'problem' in parsed ? undefined : parsed.datastore;
}
