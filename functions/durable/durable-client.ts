/**
 * The Durable client for functions that start or signal orchestrations. A function gets it by
 * declaring `extraInputs: [durableClientInput]` at registration, then calling
 * `durableClient(context)` (HTTP handlers) or `instanceClientFor(context)` (Tributary's port).
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { DurableClient } from 'durable-functions';
import { instanceClient, type InstanceClient } from './instance-client';

export const durableClientInput = df.input.durableClient();

export function durableClient(context: InvocationContext): DurableClient {
  return df.getClient(context);
}

export function instanceClientFor(context: InvocationContext): InstanceClient {
  return instanceClient(durableClient(context));
}
