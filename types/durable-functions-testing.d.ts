/**
 * durable-functions' own test helper, imported by deep path in the replay harness. Only what the
 * harness uses is declared: `createOrchestrator` wraps a handler exactly as `df.app.orchestration`
 * does before registering it.
 */
declare module 'durable-functions/lib/src/util/testingUtils' {
  import type { InvocationContext } from '@azure/functions';
  import type { OrchestrationHandler } from 'durable-functions';

  export function createOrchestrator(handler: OrchestrationHandler): (trigger: unknown, context: InvocationContext) => Promise<unknown>;
}
