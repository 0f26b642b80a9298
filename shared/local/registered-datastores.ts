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
  const unknown = (uri: string): string | undefined => {
    const parsed = uri.startsWith('azureml://datastores/') ? parseDatastoreUri(uri) : undefined;
    if (!parsed || 'problem' in parsed || known.includes(parsed.datastore)) return undefined;
    const name = parsed.datastore;
    return `datastore "${name}" is not registered (known: ${known.join(', ')}; register it with: tributary datastore register ${name} --container CONTAINER)`;
  };
  const { definition: def, parameters: given, parametersSource } = checked.request;
  for (const step of Object.values(def.steps)) {
    for (const [name, { binding }] of Object.entries(step.inputs)) {
      const uri = binding?.kind === 'datastorePath' ? `azureml://datastores/${binding.datastore}/paths/${binding.path}` : binding?.kind === 'literal' ? String(binding.value) : undefined;
      const problem = uri === undefined ? undefined : unknown(uri);
      if (problem) problems.add(`steps.${step.name}.inputs.${name}: ${problem}`, step.origin);
    }
  }
  for (const [name, value] of Object.entries(checked.parameters)) {
    const problem = typeof value === 'string' ? unknown(value) : undefined;
    if (problem) problems.add(`inputs.${name}: ${problem}`, Object.hasOwn(given ?? {}, name) ? (parametersSource ?? 'parameters') : def.source);
  }
  problems.throwIfAny();
}
