import { startLocalHost, DEFAULT_HOST, DEFAULT_PORT } from '../../host/local-host';
import { API_KEY_ENV } from '../../shared/api/auth/api-key';
import { ValidationError } from '../../shared/errors';
import { resolveWorkspace } from '../../shared/workspace/workspace';
import { parseCommand } from '../args';

const USAGE = 'tributary serve [--port N] [--host ADDRESS] [--workers N] [--json]';

function wholeNumber(value: string | undefined, flag: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new ValidationError(`${flag} ${value}: expected a whole number from ${min} to ${max}`, flag);
  return n;
}

/** `text` as one word of a POSIX shell command (quoted when it needs to be). */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Serves the HTTP API with the embedded defaults until Ctrl-C, like `func start` (default 127.0.0.1:7071). */
export async function serveCommand(args: string[]): Promise<number> {
  const { values } = parseCommand(args, { port: { type: 'string', short: 'p' }, host: { type: 'string' }, workers: { type: 'string' } }, USAGE);
  const port = wholeNumber(values.port, '--port', 0, 65535) ?? DEFAULT_PORT;
  const workers = wholeNumber(values.workers, '--workers', 1, 64);
  const workspace = resolveWorkspace(values.workspace);
  const host = await startLocalHost({ workspace, port, host: values.host ?? DEFAULT_HOST, ...(workers ? { dispatcher: { workers } } : {}) });
  const key = host.local.apiKey;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ url: host.url, api: `${host.url}/api`, workspace: workspace.root, ...(key?.source === 'environment' ? {} : { apiKeyFile: workspace.apiKeyFile }) })}\n`);
  } else {
    const keyLine = !key
      ? 'Microsoft Entra ID bearer tokens (TRIBUTARY_AUTH=entra)'
      : key.source === 'environment'
        ? 'from TRIBUTARY_API_KEY'
        : `${workspace.apiKeyFile}${key.source === 'generated' ? ' (generated now, owner-only)' : ''}`;
    // The credential as the shell finds it, never the key itself.
    const credential = !key ? '$TRIBUTARY_TOKEN' : key.source === 'environment' ? `$${API_KEY_ENV}` : `$(cat ${shellWord(workspace.apiKeyFile)})`;
    const auth = `-H "Authorization: Bearer ${credential}" `;
    process.stdout.write(
      [
        `Tributary API on ${host.url}/api`,
        `  workspace  ${workspace.root}`,
        `  API key    ${keyLine}`,
        `  try        curl ${auth}${host.url}/api/pipelines`,
        ...(values.host && values.host !== DEFAULT_HOST ? [`  warning    listening on ${values.host}: anyone who can reach it and holds the key can run pipelines`] : []),
        'Press Ctrl-C to stop.',
        '',
      ].join('\n'),
    );
  }
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  if (!values.json) process.stdout.write('Stopping: runs in progress finish in the background.\n');
  await host.close();
  return 0;
}
