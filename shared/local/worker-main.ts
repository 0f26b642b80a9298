/**
 * Entry point of the detached local worker: `node worker-main.js <workspace> <runId>`.
 * Started by `tributary run` / `resume` and by the SDK; its stdout/stderr go to the run's driver log.
 */
import { enableCompileCache } from 'node:module';
import { describeError } from '../errors';
import { resolveWorkspace } from '../workspace/workspace';

// Before the worker's own modules load: their compiled code then comes from Node's on-disk cache.
enableCompileCache();

async function main(): Promise<void> {
  const [workspaceDir, runId] = process.argv.slice(2);
  if (!workspaceDir || !runId) throw new Error('usage: worker-main <workspace> <runId>');
  const { openLocalServices } = require('./local-services') as typeof import('./local-services');
  const { driveRun } = require('./run-worker') as typeof import('./run-worker');
  const services = await openLocalServices(resolveWorkspace(workspaceDir));
  const stop = () => void services.close().finally(() => process.exit(130));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    const summary = await driveRun(services, runId);
    console.log(`run ${runId} finished: ${summary.status}${summary.statusReason ? ` (${summary.statusReason})` : ''}`);
  } finally {
    await services.close();
  }
}

main().catch((err: unknown) => {
  console.error(`worker failed: ${describeError(err)}`);
  process.exit(1);
});
