/**
 * How an HTTP function gets its services (stores, launcher, authenticator). In Azure, the app's
 * entry point calls `composeHttp` once with a function of the invocation context (the Durable
 * launcher needs the invocation's Durable client: `df.getClient(context)`; every registration
 * declares that input). The local host binds services to each invocation context it creates, so
 * several hosts can live in one process (tests).
 */
import type { InvocationContext } from '@azure/functions';
import type { ApiServices } from '../../shared/api/services';

export type ServicesForInvocation = (context: InvocationContext) => ApiServices | Promise<ApiServices>;

let composed: ServicesForInvocation | undefined;
const bound = new WeakMap<InvocationContext, ApiServices>();

/** Azure: sets how every invocation gets its services. Call before the first request. */
export function composeHttp(servicesFor: ServicesForInvocation): void {
  composed = servicesFor;
}

/** Local host: the services of one invocation it is about to make. */
export function bindServices(context: InvocationContext, services: ApiServices): void {
  bound.set(context, services);
}

export async function servicesFor(context: InvocationContext): Promise<ApiServices> {
  const services = bound.get(context) ?? (await composed?.(context));
  if (!services) throw new Error('HTTP functions are not composed: call composeHttp(...) in the app entry point');
  return services;
}
