/**
 * Entry point of the detached local worker: `node worker-main.js <workspace> <runId>`, or
 * `node worker-main.js <workspace> --run-id-on-stdin <log>` for a worker started before its run
 * is recorded (`WaitingWorker`). Started by `tributary run` / `resume` and by the SDK; its
 * stdout/stderr go to the run's driver log.
 */
import { rmSync } from 'node:fs';
import { describeError } from '../errors';
import { resolveWorkspace } from '../workspace/workspace';
import { RUN_ID_ON_STDIN } from './waiting-worker';

async function main(): Promise<void> {
  const [workspaceDir, runIdArg, waitingLog] = process.argv.slice(2);
  if (!workspaceDir || !runIdArg || (runIdArg === RUN_ID_ON_STDIN && !waitingLog)) {
    throw new Error(`usage: worker-main <workspace> <runId> | worker-main <workspace> ${RUN_ID_ON_STDIN} <log>`);
  }
  const runIdGiven = runIdArg === RUN_ID_ON_STDIN ? runIdFromStdin() : Promise.resolve(runIdArg);
  // While the run id is on its way: load the modules and start the step process launcher. The
  // workspace is not touched before there is a run (the CLI may yet reject the pipeline).
  const { loadDataPlaneModules, localComputePool, openLocalServices } = require('./local-services') as typeof import('./local-services');
  const { driveRun } = require('./run-worker') as typeof import('./run-worker');
  loadDataPlaneModules();
  const pool = localComputePool();
  pool.startLauncher();
  let close = () => pool.close();
  const stop = () => void close().finally(() => process.exit(130));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    const runId = await runIdGiven;
    if (!runId) {
      // Dismissed: no run was recorded for this worker.
      rmSync(waitingLog!, { force: true });
      return;
    }
    const services = openLocalServices(resolveWorkspace(workspaceDir), { pool });
    close = () => services.close();
    const summary = await driveRun(services, runId);
    console.log(`run ${runId} finished: ${summary.status}${summary.statusReason ? ` (${summary.statusReason})` : ''}`);
  } finally {
    await close();
  }
}

/** The run id the CLI writes once the run is recorded; empty when stdin closes without one. */
async function runIdFromStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.trim();
}

main().catch((err: unknown) => {
  console.error(`worker failed: ${describeError(err)}`);
  process.exit(1);
});
