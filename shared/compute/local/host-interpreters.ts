import { spawnSync } from 'node:child_process';

let cached: string | undefined;

/**
 * One line telling the user that local compute uses this machine's own interpreters (a step's
 * `environment` — image, conda file — is not applied), with their versions. Asked once per process.
 */
export function describeHostInterpreters(): string {
  cached ??= `local compute runs steps with this machine's own interpreters (step environments are not applied): ${versionOf('python3')}; ${versionOf('bash')}`;
  return cached;
}

function versionOf(command: string): string {
  const result = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'pipe', 'pipe'] });
  if (result.error) return `${command} not found`;
  if (result.status !== 0) return `${command} --version failed (exit ${result.status ?? result.signal})`;
  // Python 2 printed its version on stderr.
  const line = `${result.stdout}\n${result.stderr}`.split('\n').find((l) => l.trim() !== '');
  return line ? line.trim() : `${command} (version unknown)`;
}
