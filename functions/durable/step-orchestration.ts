/** Registers the step orchestration: one step's life (`shared/orchestration`), driven by Durable. */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { StepOrchestrationInput } from '../../shared/orchestration/messages';
import { stepOrchestration } from '../../shared/orchestration/step-orchestration';
import { STEP_ORCHESTRATION } from './names';
import { runOnDurable } from './op-adapter';

export const stepOrchestrationHandler: OrchestrationHandler = function* (context: OrchestrationContext) {
  return yield* runOnDurable(stepOrchestration(context.df.getInput<StepOrchestrationInput>()), context);
};

df.app.orchestration(STEP_ORCHESTRATION, stepOrchestrationHandler);
