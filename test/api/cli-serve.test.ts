import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { stopAzurite } from '../../shared/datastore/azurite/azurite';
import { resolveWorkspace } from '../../shared/workspace/workspace';

const exec = promisify(execFile);
const CLI = join(__dirname, '..', '..', 'cli', 'main.js');
const KEY = 'serve-hint-key-0123456789abcdef';

interface Served {
  /** What serve printed at start-up. */
  text: string;
  stop(): Promise<void>;
}

/** Starts `tributary serve --port 0` on `workspaceRoot`; resolves once it printed its start-up text. */
async function serve(workspaceRoot: string, env: NodeJS.ProcessEnv): Promise<Served> {
  const { TRIBUTARY_AUTH: _auth, ...inherited } = process.env;
  const child = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', CLI, 'serve', '--port', '0', '--workspace', workspaceRoot], {
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('Press Ctrl-C to stop.')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`serve exited (${code}) before it was ready: ${err}`)));
  });
  return {
    text: out,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

describe('tributary serve: the start-up hint', () => {
  for (const [source, env] of [
    ['TRIBUTARY_API_KEY', { TRIBUTARY_API_KEY: KEY }],
    ['the workspace key file', { TRIBUTARY_API_KEY: '' }],
  ] as const) {
    it(`with the key from ${source}: a curl that authenticates, without printing the key`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'tributary-serve-'));
      const workspaceRoot = join(dir, 'my ws');
      const started = await serve(workspaceRoot, env);
      try {
        assert.ok(!started.text.includes(KEY), started.text);
        const hint = /^ {2}try {8}(curl .*)$/m.exec(started.text)?.[1];
        assert.ok(hint, started.text);
        assert.match(hint, /-H "Authorization: Bearer /);
        const { stdout } = await exec('bash', ['-c', `${hint} --silent --show-error --fail`], { env: { ...process.env, ...env } });
        assert.deepEqual(JSON.parse(stdout), { value: [] });
      } finally {
        await started.stop();
        await stopAzurite(resolveWorkspace(workspaceRoot));
        await rm(dir, { recursive: true, force: true });
      }
    });
  }
});
