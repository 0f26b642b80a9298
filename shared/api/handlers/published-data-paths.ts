/**
 * Local data paths in a definition being published: data input defaults, literal data bindings
 * and `localPath` bindings that are not datastore URIs. Every run of the published pipeline reads
 * them on the server (and uploads them to the datastore). A server that shares the publisher's
 * file system (snapshots `server`) takes absolute ones, the publisher's own data; a relative one
 * would be resolved against the server's working folder, never the publisher's. A server that
 * does not (snapshots `client`) would read its own files, so it takes none.
 */
import path from 'node:path';
import { ProblemList } from '../../errors';
import type { InputType, PipelineDefinition, ScalarValue } from '../../model/definition';
import { describeValue } from '../../model/parameters';
import type { SnapshotMode } from '../services';

const isData = (type: InputType) => type === 'uri_folder' || type === 'uri_file';

/** Throws one ValidationError naming each local data path this server cannot take from a publisher. */
export function checkPublishedDataPaths(definition: PipelineDefinition, mode: SnapshotMode): void {
  const problems = new ProblemList();
  const check = (value: ScalarValue, target: string) => {
    if (typeof value !== 'string' || value.startsWith('azureml:')) return;
    if (mode === 'client') {
      problems.add(
        `local path ${describeValue(value)}: this Tributary does not share the publisher's file system, so it cannot read it; ` +
          'put the data on a datastore (e.g. tributary datastore upload) and use azureml://datastores/<datastore>/paths/<path>',
        target,
      );
    } else if (!path.isAbsolute(value)) {
      problems.add(`local path ${describeValue(value)} is relative, and the server would resolve it against its own working folder: give an absolute path or a datastore URI`, target);
    }
  };
  for (const [name, spec] of Object.entries(definition.inputs)) {
    if (isData(spec.type) && spec.default !== undefined) check(spec.default, `definition.inputs.${name}.default`);
  }
  for (const [stepName, step] of Object.entries(definition.steps)) {
    for (const [name, input] of Object.entries(step.inputs)) {
      const binding = input.binding;
      const target = `definition.steps.${stepName}.inputs.${name}.binding`;
      if (binding?.kind === 'localPath') check(binding.path, target);
      else if (binding?.kind === 'literal' && isData(input.type)) check(binding.value, target);
    }
  }
  problems.throwIfAny();
}
