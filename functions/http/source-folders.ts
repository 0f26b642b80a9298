/**
 * Publishing in Azure: this Function App cannot read folders on the publishing machine, so the
 * publisher snapshots each step's source folder into the datastore and sends the ids (health
 * advertises `snapshots: 'client'`; the CLI and SDK do this). A step with a source folder but no
 * sent snapshot (an older client, a hand-written request) is refused, naming it and what to do.
 */
import type { SourceSnapshotter } from '../../shared/api/services';
import { ValidationError } from '../../shared/errors';

export const refuseSourceFolders: SourceSnapshotter = async (definition) => {
  const withSources = Object.values(definition.steps).filter((step) => step.codeDir !== undefined);
  if (withSources.length === 0) return {};
  const steps = withSources.map((step) => `"${step.name}" (${step.codeDir})`).join(', ');
  throw new ValidationError(
    `steps ${steps} have source folders but no snapshot was sent for them, and a Tributary in Azure cannot read folders on the publishing machine: ` +
      'publish with the tributary CLI or SDK, which upload each source folder to the datastore and send "snapshots": {step: snapshot id}',
    `definition.steps.${withSources[0]!.name}.codeDir`,
  );
};
