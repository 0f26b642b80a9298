/**
 * Preloaded into the Azurite process (`node --require`). Azurite requires Application Insights
 * (and with it OpenTelemetry) when it starts, even with `--disableTelemetry`, and then never
 * touches it: loading it is about two thirds of Azurite's start-up CPU (~1 s here), paid again on
 * every start. Tributary always disables telemetry, so that one module is replaced by an empty one.
 */
import Module from 'node:module';

const UNUSED_WITHOUT_TELEMETRY = 'applicationinsights';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const load = loader._load;
loader._load = function loadWithoutTelemetry(this: unknown, request, parent, isMain) {
  return request === UNUSED_WITHOUT_TELEMETRY ? {} : load.call(this, request, parent, isMain);
};
