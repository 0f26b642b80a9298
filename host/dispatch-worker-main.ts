/**
 * A long-lived worker of the local host: `node dispatch-worker-main.js <workspace>`, forked with an
 * IPC channel. It opens the local services once and drives the runs it is sent, several at a time,
 * answering `done` for each. When the channel closes (the host stopped), it finishes the runs it
 * has and exits.
 */
import { describeError } from '../shared/errors';
import { openLocalServices } from '../shared/local/local-services';
import { driveRun } from '../shared/local/run-worker';
import { resolveWorkspace } from '../shared/workspace/workspace';
import { isToWorker, type FromWorker } from './dispatch-messages';

function main(): void {
  const [workspaceDir] = process.argv.slice(2);
  if (!workspaceDir || !process.send) throw new Error('usage: fork dispatch-worker-main.js <workspace> with an IPC channel');
  const services = openLocalServices(resolveWorkspace(workspaceDir));
  const driving = new Set<string>();
  let draining = false;

  const exitWhenIdle = () => {
    if (draining && driving.size === 0) void services.close().finally(() => process.exit(0));
  };
  const drive = async (runId: string) => {
    driving.add(runId);
    try {
      const summary = await driveRun(services, runId);
      console.log(`run ${runId} finished: ${summary.status}`);
    } catch (err) {
      console.error(`run ${runId}: worker failed: ${describeError(err)}`);
    } finally {
      driving.delete(runId);
      const done: FromWorker = { type: 'done', runId };
      if (process.connected) process.send?.(done);
      exitWhenIdle();
    }
  };

  process.on('message', (message: unknown) => {
    if (isToWorker(message) && !draining && !driving.has(message.runId)) void drive(message.runId);
  });
  process.on('disconnect', () => {
    draining = true;
    exitWhenIdle();
  });
  const stop = () => void services.close().finally(() => process.exit(130));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main();
