/**
 * The API's HTTP registrations, loaded for the local host. Outside the Functions host,
 * @azure/functions runs in "test mode" and prints a warning for every registration (and a debug
 * line for app.setup); none of it applies here, so it is muted while the registrations load.
 */
import type { HTTP_FUNCTIONS } from '../functions/http/routes';

export function loadHttpFunctions(): typeof HTTP_FUNCTIONS {
  const { warn, debug } = console;
  console.warn = console.debug = () => undefined;
  try {
    const routes: typeof import('../functions/http/routes') = require('../functions/http/routes');
    return routes.HTTP_FUNCTIONS;
  } finally {
    console.warn = warn;
    console.debug = debug;
  }
}
