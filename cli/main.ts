/**
 * `tributary` — the command-line front door. Every command takes --json for scripts and
 * --workspace DIR (default ./.tributary or $TRIBUTARY_WORKSPACE). Errors are one clear message
 * and a non-zero exit, never a stack trace (set TRIBUTARY_DEBUG=1 to see one).
 */
import { describeError, isTributaryError } from '../shared/errors';
import { cancelCommand } from './commands/cancel';
import { datastoreCommand } from './commands/datastore';
import { downloadCommand } from './commands/download';
import { endpointsCommand } from './commands/endpoints';
import { explainCommand } from './commands/explain';
import { invokeCommand } from './commands/invoke';
import { pipelinesCommand } from './commands/pipelines';
import { planCommand } from './commands/plan';
import { publishCommand } from './commands/publish';
import { serveCommand } from './commands/serve';
import { logsCommand } from './commands/logs';
import { resumeCommand } from './commands/resume';
import { runCommand } from './commands/run';
import { runsCommand } from './commands/runs';
import { showCommand } from './commands/show';
import { watchCommand } from './commands/watch';

const COMMANDS: Record<string, { run: (args: string[]) => Promise<number>; help: string }> = {
  run: { run: runCommand, help: 'run <pipeline.yml> [--set inputs.NAME=VALUE]... [--experiment NAME] [--compute NAME=local]... [--detach]' },
  runs: { run: runsCommand, help: 'runs [--experiment NAME] [--status STATUS]   list runs, newest first' },
  show: { run: showCommand, help: 'show <runId>                                   a run, its steps and metrics' },
  explain: { run: explainCommand, help: 'explain <runId> <step>                         why a step ran or was reused' },
  plan: { run: planCommand, help: 'plan <pipeline.yml> [--set inputs.NAME=VALUE]...  which steps a run would reuse or run, and why' },
  watch: { run: watchCommand, help: 'watch <runId>                                  live progress until the run ends' },
  logs: { run: logsCommand, help: 'logs <runId> <step> [--follow]                 a step\'s stdout and stderr' },
  cancel: { run: cancelCommand, help: 'cancel <runId>                                 stop a run' },
  resume: { run: resumeCommand, help: 'resume <runId>                                 continue a run whose process died' },
  download: { run: downloadCommand, help: 'download <runId> [--step S] [--output O] [--to DIR]   outputs, logs and metrics from the datastore' },
  datastore: { run: datastoreCommand, help: 'datastore list|show|register|upload|stop-azurite   datastores (Blob containers; Azurite locally)' },
  serve: { run: serveCommand, help: 'serve [--port N] [--host ADDRESS]                 the HTTP API with embedded defaults (default 127.0.0.1:7071)' },
  publish: { run: publishCommand, help: 'publish <pipeline.yml> --name NAME [--version V] [--endpoint NAME]   publish behind a REST endpoint' },
  pipelines: { run: pipelinesCommand, help: 'pipelines list|show|disable|enable [ID]          published pipelines' },
  endpoints: { run: endpointsCommand, help: 'endpoints list|show|create|add-version|set-default   versioned pipeline endpoints' },
  invoke: { run: invokeCommand, help: 'invoke <id|endpoint> [--set NAME=VALUE]... [--idempotency-key K]   start a run over HTTP' },
};

function usage(): string {
  return `usage: tributary <command> [options]\n\n${Object.values(COMMANDS)
    .map((c) => `  tributary ${c.help}`)
    .join('\n')}\n\nEvery command takes --json and --workspace DIR.\n`;
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage());
    return name ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`tributary: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  return command.run(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${describeError(err)}\n`);
    if (process.env.TRIBUTARY_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = isTributaryError(err) && err.code === 'ValidationError' ? 2 : 1;
  },
);
