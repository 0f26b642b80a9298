/**
 * A submission's commands and environment variable values, rendered once with the values it was
 * given, before the run is recorded: an unknown reference, or a parameter value that the shell
 * could misread where it lands (see `renderCommand`), is a bad submission, not a step that fails
 * later. Data inputs and outputs render as placeholders here: their paths are only known when the
 * step runs.
 */
import { bindingSources } from '../activities/step-inputs';
import { ProblemList, ValidationError } from '../errors';
import { renderCommand, renderValue } from '../model/command';
import type { PipelineDefinition, ScalarValue } from '../model/definition';
import { placeholder } from '../reuse/key-material';

export function checkCommandsRender(def: PipelineDefinition, parameters: Record<string, ScalarValue>): void {
  const problems = new ProblemList();
  for (const step of Object.values(def.steps)) {
    const sources = bindingSources(step, def, parameters);
    const inputs: Record<string, ScalarValue | undefined> = {};
    for (const name of Object.keys(step.inputs)) {
      const source = sources[name];
      inputs[name] = source === undefined ? undefined : source.kind === 'scalar' ? source.value : placeholder('inputs', name);
    }
    const outputs = Object.fromEntries(Object.keys(step.outputs).map((name) => [name, placeholder('outputs', name)]));
    try {
      renderCommand(step.command, { inputs, outputs }, step.origin);
      for (const [name, value] of Object.entries(step.environmentVariables)) renderValue(value, { inputs, outputs }, step.origin, `environment_variables.${name}`);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const line of err.problems.length > 0 ? err.problems : [err.message]) problems.add(line);
    }
  }
  problems.throwIfAny();
}
