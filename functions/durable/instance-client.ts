/**
 * The slice of the Durable client that Tributary uses, as a port: the Function App adapts the
 * real DurableClient to it, the replay harness routes it to its in-memory instances.
 */
import type { DurableClient } from 'durable-functions';

export interface InstanceState {
  runtimeStatus: string;
  output: unknown;
  customStatus: unknown;
}

export interface InstanceClient {
  /** The instance's state, or undefined when no instance has that id. */
  status(instanceId: string): Promise<InstanceState | undefined>;
  /** Starts an orchestration instance; fails when a running one already has the id. */
  start(orchestration: string, instanceId: string, input: unknown): Promise<void>;
  /** Raises an event; false when no instance has the id (a finished instance accepts and ignores it). */
  raise(instanceId: string, eventName: string, payload: unknown): Promise<boolean>;
}

/**
 * durable-functions reports a missing instance only through error text: getStatus throws
 * "... replied with HTTP 404 response ..." and raiseEvent "No instance with ID '...' found."
 */
const MISSING = /HTTP 404 response|No instance with ID/;

export function instanceClient(client: DurableClient): InstanceClient {
  return {
    async status(instanceId) {
      try {
        const s = await client.getStatus(instanceId, { showInput: false });
        return { runtimeStatus: s.runtimeStatus, output: s.output, customStatus: s.customStatus };
      } catch (err) {
        if (err instanceof Error && MISSING.test(err.message)) return undefined;
        throw err;
      }
    },
    async start(orchestration, instanceId, input) {
      await client.startNew(orchestration, { instanceId, input });
    },
    async raise(instanceId, eventName, payload) {
      try {
        await client.raiseEvent(instanceId, eventName, payload);
        return true;
      } catch (err) {
        if (err instanceof Error && MISSING.test(err.message)) return false;
        throw err;
      }
    },
  };
}
