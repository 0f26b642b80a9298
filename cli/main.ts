/**
 * `tributary` — the command-line front door. Every command takes --json for scripts and
 * --workspace DIR (default ./.tributary or $TRIBUTARY_WORKSPACE). Errors are one clear message
 * and a non-zero exit, never a stack trace (set TRIBUTARY_DEBUG=1 to see one).
 */
import { enableCompileCache } from 'node:module';
import { describeError, isTributaryError } from '../shared/errors';
import { visible } from './format';

// Compiled modules are cached on disk: loading the CLI's modules costs about a quarter less.
enableCompileCache();

// Output piped into a reader that stopped (`tributary show ID | head -1`): nothing more to say.
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(process.exitCode ?? 0);
});

type Command = (args: string[]) => Promise<number>;

/**
 * Each command's module is loaded only when that command runs: `run` need not load the storage
 * SDK that `datastore` uses, nor `serve` its HTTP host.
 */
const COMMANDS: Record<string, { load: () => Command; help: string }> = {
  run: {
    load: () => (require('./commands/run') as typeof import('./commands/run')).runCommand,
    help: 'run <pipeline.yml> [--set inputs.NAME=VALUE]... [--experiment NAME] [--compute NAME=local]... [--detach]',
  },
  runs: {
    load: () => (require('./commands/runs') as typeof import('./commands/runs')).runsCommand,
    help: 'runs [--experiment NAME] [--status STATUS]   list runs, newest first',
  },
  show: {
    load: () => (require('./commands/show') as typeof import('./commands/show')).showCommand,
    help: 'show <runId>                                   a run, its steps and metrics',
  },
  explain: {
    load: () => (require('./commands/explain') as typeof import('./commands/explain')).explainCommand,
    help: 'explain <runId> <step>                         why a step ran or was reused',
  },
  plan: {
    load: () => (require('./commands/plan') as typeof import('./commands/plan')).planCommand,
    help: 'plan <pipeline.yml> [--set inputs.NAME=VALUE]...  which steps a run would reuse or run, and why',
  },
  watch: {
    load: () => (require('./commands/watch') as typeof import('./commands/watch')).watchCommand,
    help: 'watch <runId>                                  live progress until the run ends',
  },
  logs: {
    load: () => (require('./commands/logs') as typeof import('./commands/logs')).logsCommand,
    help: 'logs <runId> <step> [--follow]                 a step\'s stdout and stderr',
  },
  cancel: {
    load: () => (require('./commands/cancel') as typeof import('./commands/cancel')).cancelCommand,
    help: 'cancel <runId>                                 stop a run',
  },
  resume: {
    load: () => (require('./commands/resume') as typeof import('./commands/resume')).resumeCommand,
    help: 'resume <runId>                                 continue a run whose process died',
  },
  download: {
    load: () => (require('./commands/download') as typeof import('./commands/download')).downloadCommand,
    help: 'download <runId> [--step S] [--output O] [--to DIR]   outputs, logs and metrics from the datastore',
  },
  datastore: {
    load: () => (require('./commands/datastore') as typeof import('./commands/datastore')).datastoreCommand,
    help: 'datastore list|show|register|upload|stop-azurite   datastores (Blob containers; Azurite locally)',
  },
  serve: {
    load: () => (require('./commands/serve') as typeof import('./commands/serve')).serveCommand,
    help: 'serve [--port N] [--host ADDRESS]                 the HTTP API with embedded defaults (default 127.0.0.1:7071)',
  },
  publish: {
    load: () => (require('./commands/publish') as typeof import('./commands/publish')).publishCommand,
    help: 'publish <pipeline.yml> --name NAME [--version V] [--endpoint NAME]   publish behind a REST endpoint',
  },
  pipelines: {
    load: () => (require('./commands/pipelines') as typeof import('./commands/pipelines')).pipelinesCommand,
    help: 'pipelines list|show|disable|enable [ID]          published pipelines',
  },
  endpoints: {
    load: () => (require('./commands/endpoints') as typeof import('./commands/endpoints')).endpointsCommand,
    help: 'endpoints list|show|create|add-version|set-default   versioned pipeline endpoints',
  },
  invoke: {
    load: () => (require('./commands/invoke') as typeof import('./commands/invoke')).invokeCommand,
    help: 'invoke <id|endpoint> [--set NAME=VALUE]... [--idempotency-key K]   start a run over HTTP',
  },
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
    process.stderr.write(`tributary: unknown command "${visible(name)}"\n\n${usage()}`);
    return 2;
  }
  return command.load()(rest);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${visible(describeError(err))}\n`);
    if (process.env.TRIBUTARY_DEBUG && err instanceof Error) process.stderr.write(`${err.stack}\n`);
    process.exitCode = isTributaryError(err) && err.code === 'ValidationError' ? 2 : 1;
  },
);
