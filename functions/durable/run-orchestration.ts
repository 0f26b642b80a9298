/** Registers the run orchestration: the shared DAG walk (`shared/orchestration`), driven by Durable. */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import type { RunOrchestrationInput } from '../../shared/orchestration/messages';
import { runOrchestration } from '../../shared/orchestration/run-orchestration';
import { RUN_ORCHESTRATION } from './names';
import { runOnDurable } from './op-adapter';

export const runOrchestrationHandler: OrchestrationHandler = function* (context: OrchestrationContext) {
  return yield* runOnDurable(runOrchestration(context.df.getInput<RunOrchestrationInput>()), context);
};

df.app.orchestration(RUN_ORCHESTRATION, runOrchestrationHandler);
