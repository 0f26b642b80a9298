/**
 * A submission's commands, rendered with the values it was given before the run is recorded,
 * where those values can matter: a parameter value that the shell could misread where it lands
 * (see `renderCommand`), or an optional input left without a value, is a bad submission, not a
 * step that fails later. Which names a command may use is checked by `validateDefinition`; a step
 * whose values are all plain (and all there) renders the same whatever they are, so it is not
 * rendered here. Data inputs and outputs render as placeholders: their paths are known only when
 * the step runs.
 */
import { bindingSources } from '../activities/step-inputs';
import { ProblemList, ValidationError } from '../errors';
import { isPlainValue, renderCommand } from '../model/command';
import type { PipelineDefinition, ScalarValue } from '../model/definition';
import { placeholder } from '../reuse/key-material';

export function checkCommandsRender(def: PipelineDefinition, parameters: Record<string, ScalarValue>): void {
  const problems = new ProblemList();
  for (const step of Object.values(def.steps)) {
    const sources = bindingSources(step, def, parameters);
    const inputs: Record<string, ScalarValue | undefined> = {};
    let matters = false;
    for (const name of Object.keys(step.inputs)) {
      const source = sources[name];
      inputs[name] = source === undefined ? undefined : source.kind === 'scalar' ? source.value : placeholder('inputs', name);
      matters ||= source === undefined || (source.kind === 'scalar' && !isPlainValue(source.value));
    }
    if (!matters) continue;
    const outputs = Object.fromEntries(Object.keys(step.outputs).map((name) => [name, placeholder('outputs', name)]));
    try {
      renderCommand(step.command, { inputs, outputs }, step.origin);
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      for (const line of err.problems.length > 0 ? err.problems : [err.message]) problems.add(line);
    }
  }
  problems.throwIfAny();
}
