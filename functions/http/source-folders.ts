/**
 * Publishing in Azure: a step's source folder must already be a snapshot on the datastore, because
 * this Function App cannot read folders on the publishing machine. The CLI and SDK do not upload
 * step sources to a remote Tributary yet, so a definition with source folders is refused with a
 * message saying what works instead (inline commands; `tributary serve`, which snapshots locally).
 */
import type { SourceSnapshotter } from '../../shared/api/services';
import { ValidationError } from '../../shared/errors';

export const refuseSourceFolders: SourceSnapshotter = async (definition) => {
  const withSources = Object.values(definition.steps).filter((step) => step.codeDir !== undefined);
  if (withSources.length === 0) return {};
  const steps = withSources.map((step) => `"${step.name}" (${step.codeDir})`).join(', ');
  throw new ValidationError(
    `steps ${steps} have source folders, which a Tributary in Azure cannot read from the publishing machine, and uploading them when publishing to a remote Tributary is not supported yet: ` +
      'publish steps whose command needs no source folder, or publish to a local Tributary (tributary serve)',
    `definition.steps.${withSources[0]!.name}.codeDir`,
  );
};
