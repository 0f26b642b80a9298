/**
 * Preloaded into the Azurite process (`node --require`), beside ./without-telemetry: Azurite ends
 * itself once the folder it keeps its data in (its `--location`, inside the workspace) is gone or
 * replaced, as when the workspace is deleted with `rm -rf .tributary`. It would otherwise keep
 * running, with its port and its memory, until the machine restarts, since nothing is left that
 * knows of it.
 */
import { statSync } from 'node:fs';

export const LOCATION_CHECK_MS = 2_000;

const at = process.argv.indexOf('--location');
const location = at >= 0 ? process.argv[at + 1] : undefined;
if (location) {
  const inode = statSync(location).ino;
  setInterval(() => {
    if (statSync(location, { throwIfNoEntry: false })?.ino !== inode) process.exit(0);
  }, LOCATION_CHECK_MS).unref();
}
