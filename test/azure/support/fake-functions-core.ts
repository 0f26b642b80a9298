/**
 * A fake of `@azure/functions-core`, the API the Azure Functions Node.js worker gives
 * `@azure/functions` inside the host. With it installed (`installFakeFunctionsCore`, before
 * anything registers), registrations reach `registerFunction` with the metadata the host would
 * get, instead of being skipped in "test mode". A test double: it only records.
 */
import Module from 'node:module';

export interface CoreRegistration {
  name: string;
  bindings: Record<string, { type: string; direction: string; [key: string]: unknown }>;
  handler: (...args: unknown[]) => unknown;
}

export const registered: CoreRegistration[] = [];

export function registerFunction(metadata: Omit<CoreRegistration, 'handler'>, handler: CoreRegistration['handler']): { dispose(): void } {
  registered.push({ ...metadata, handler });
  return { dispose: () => undefined };
}

export function setProgrammingModel(): void {}

export function registerHook(): { dispose(): void } {
  return { dispose: () => undefined };
}

export function log(): void {}

type Resolve = (request: string, ...rest: unknown[]) => string;

/** Makes `require('@azure/functions-core')` load this module, as the worker makes it load its own. */
export function installFakeFunctionsCore(): void {
  const loader = Module as unknown as { _resolveFilename: Resolve };
  const resolve = loader._resolveFilename;
  loader._resolveFilename = (request, ...rest) => (request === '@azure/functions-core' ? __filename : resolve(request, ...rest));
}
