import { existsSync } from 'node:fs';
import { azuriteStatus, stopAzurite } from '../../shared/datastore/azurite/azurite';
import { Datastore } from '../../shared/datastore/blob/datastore';
import { DEFAULT_DATASTORE, getDatastoreConfig, type DatastoreConfig } from '../../shared/datastore/blob/datastore-registry';
import type { UploadProgress } from '../../shared/datastore/blob/upload-files';
import { ConflictError, ValidationError } from '../../shared/errors';
import { openStore } from '../../shared/local/open-store';
import { isLeaseStale } from '../../shared/local/run-worker';
import { resolveWorkspace } from '../../shared/workspace/workspace';
import { needPositional, parseCommand } from '../args';
import { table } from '../format';

const USAGE = [
  'tributary datastore list',
  '  | show NAME',
  '  | register NAME --container C [--account-url URL] [--connection-string-env VAR]',
  '  | upload <paths…> --target-path P [--overwrite] [--datastore NAME]',
  '  | stop-azurite [--force]',
].join('\n');
/** Below this, an upload is quick enough not to need a progress bar. */
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/** Datastores: list, show, register, upload files; and stopping the workspace's embedded Azurite. */
export async function datastoreCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseCommand(
    args,
    {
      container: { type: 'string' },
      'account-url': { type: 'string' },
      'connection-string-env': { type: 'string' },
      'target-path': { type: 'string' },
      overwrite: { type: 'boolean' },
      datastore: { type: 'string' },
      force: { type: 'boolean' },
    },
    USAGE,
  );
  const workspace = resolveWorkspace(values.workspace);
  const print = (value: unknown) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
  const sub = needPositional(positionals, 0, 'subcommand (list, show, register, upload, stop-azurite)', USAGE);
  switch (sub) {
    case 'list': {
      const all = Datastore.list(workspace);
      if (values.json) print({ datastores: all });
      else process.stdout.write(`${table(['NAME', 'CONTAINER', 'AUTH', 'ACCOUNT'], all.map((d) => [d.name + (d.name === DEFAULT_DATASTORE ? ' (default)' : ''), d.container, d.auth, account(d)]))}\n`);
      return 0;
    }
    case 'show': {
      const config = getDatastoreConfig(workspace, needPositional(positionals, 1, 'datastore name', USAGE));
      const azurite = config.auth === 'azurite' ? azuriteStatus(workspace) : undefined;
      if (values.json) print({ ...config, ...(azurite ? { azurite } : {}) });
      else {
        const lines = [`Datastore   ${config.name}${config.name === DEFAULT_DATASTORE ? ' (default)' : ''}`, `Container   ${config.container}`, `Auth        ${config.auth}`, `Account     ${account(config)}`];
        if (azurite) lines.push(`Azurite     ${azurite.running ? `running on 127.0.0.1:${azurite.port} (pid ${azurite.pid})` : `not running${azurite.port ? ` (starts on first use, port ${azurite.port})` : ' (starts on first use)'}`}`);
        lines.push(`Paths       azureml://datastores/${config.name}/paths/<path>`, '');
        process.stdout.write(lines.join('\n'));
      }
      return 0;
    }
    case 'register': {
      const name = needPositional(positionals, 1, 'datastore name', USAGE);
      if (!values.container) throw new ValidationError(`--container is required\nusage: ${USAGE}`, '--container');
      const config = await Datastore.register(workspace, {
        name,
        container: values.container,
        ...(values['account-url'] ? { accountUrl: values['account-url'] } : {}),
        ...(values['connection-string-env'] ? { connectionStringEnv: values['connection-string-env'] } : {}),
      });
      if (values.json) print(config);
      else process.stdout.write(`Registered datastore ${config.name}: container ${config.container}, auth ${config.auth}\n`);
      return 0;
    }
    case 'upload':
      return upload(workspace, positionals.slice(1), values, print);
    case 'stop-azurite': {
      if (!values.force) await refuseWhileRunsAreDriven(workspace);
      const stopped = await stopAzurite(workspace);
      if (values.json) print({ stopped });
      else process.stdout.write(stopped ? 'Stopped the workspace\'s Azurite.\n' : 'The workspace\'s Azurite was not running.\n');
      return 0;
    }
    default:
      throw new ValidationError(`unknown subcommand "${sub}"\nusage: ${USAGE}`, 'subcommand');
  }
}

/** Runs driven right now keep their outputs and logs on the workspace's Azurite: stopping it would strand them. */
async function refuseWhileRunsAreDriven(workspace: ReturnType<typeof resolveWorkspace>): Promise<void> {
  if (!existsSync(workspace.historyDb)) return;
  const store = openStore(workspace);
  try {
    const live: string[] = [];
    for (const status of ['NotStarted', 'Running'] as const) {
      for (const run of (await store.listRuns({ status, limit: 500 })).items) if (run.driver && !isLeaseStale(run.driver)) live.push(run.id);
    }
    if (live.length === 1) {
      throw new ConflictError(
        `run ${live[0]} is being driven in this workspace and keeps its data on the workspace's Azurite; wait for it to end, cancel it (tributary cancel ${live[0]}), or stop Azurite anyway with --force`,
        'stop-azurite',
      );
    }
    if (live.length > 1) {
      throw new ConflictError(
        `runs ${live.join(', ')} are being driven in this workspace and keep their data on the workspace's Azurite; wait for them to end, cancel them (tributary cancel RUN), or stop Azurite anyway with --force`,
        'stop-azurite',
      );
    }
  } finally {
    await store.close();
  }
}

async function upload(
  workspace: ReturnType<typeof resolveWorkspace>,
  paths: string[],
  values: { 'target-path'?: string; overwrite?: boolean; datastore?: string; json?: boolean },
  print: (value: unknown) => void,
): Promise<number> {
  if (paths.length === 0) throw new ValidationError(`give at least one file or folder to upload\nusage: ${USAGE}`, 'paths');
  if (values['target-path'] === undefined) throw new ValidationError(`--target-path is required\nusage: ${USAGE}`, '--target-path');
  const name = values.datastore ?? DEFAULT_DATASTORE;
  const ds = await Datastore.get(workspace, name);
  const bar = process.stderr.isTTY && !values.json ? progressBar() : undefined;
  const result = await ds
    .uploadFiles(paths, { targetPath: values['target-path'], targetField: '--target-path', overwrite: values.overwrite, onProgress: bar?.update })
    .finally(() => bar?.done());
  if (values.json) {
    print({ datastore: ds.name, ...result });
    return 0;
  }
  process.stdout.write(`Uploaded ${result.uploaded.length} file${result.uploaded.length === 1 ? '' : 's'} (${formatBytes(result.uploadedBytes)}) to ${ds.uri(values['target-path'])}\n`);
  if (result.skipped.length > 0) {
    process.stdout.write(`Kept ${result.skipped.length} existing blob${result.skipped.length === 1 ? '' : 's'} (use --overwrite to replace them):\n${result.skipped.map((s) => `  ${s}`).join('\n')}\n`);
  }
  return 0;
}

function account(d: DatastoreConfig): string {
  if (d.auth === 'azurite') return 'embedded Azurite';
  if (d.auth === 'connectionString') return `connection string from $${d.connectionStringEnv}`;
  return d.accountUrl ?? '';
}

/** `[#########.........]  45%  120.0 MiB / 266.0 MiB` on stderr, redrawn in place; only for large uploads. */
function progressBar(): { update: (p: UploadProgress) => void; done: () => void } {
  let drawn = false;
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (p.totalBytes < PROGRESS_MIN_BYTES || (now - last < 100 && p.loadedBytes < p.totalBytes)) return;
      last = now;
      const ratio = Math.min(1, p.loadedBytes / p.totalBytes);
      const filled = Math.round(ratio * 30);
      process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(30 - filled)}] ${String(Math.floor(ratio * 100)).padStart(3)}%  ${formatBytes(p.loadedBytes)} / ${formatBytes(p.totalBytes)}\x1b[K`);
      drawn = true;
    },
    done() {
      if (drawn) process.stderr.write('\n');
    },
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
