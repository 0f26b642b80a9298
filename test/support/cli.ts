import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';
import { stopAzurite } from '../../shared/datastore/azurite/azurite';
import { resolveWorkspace } from '../../shared/workspace/workspace';

/** Repo root (tests run from dist/test/...). */
export const REPO = path.resolve(__dirname, '..', '..', '..');
const MAIN = path.join(REPO, 'dist', 'cli', 'main.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `tributary ...` to completion in `cwd` (the workspace is `<cwd>/.tributary`). */
export function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN, ...args], {
    cwd,
    env: { ...withoutWorkspace(), ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

/** Starts `tributary ...` without waiting. */
export function cliAsync(cwd: string, args: string[]): ChildProcess {
  return spawn(process.execPath, ['--disable-warning=ExperimentalWarning', MAIN, ...args], {
    cwd,
    env: withoutWorkspace(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

export function json<T = any>(r: CliResult): T {
  try {
    return JSON.parse(r.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

const projects: string[] = [];
// Every project's workspace may have started its embedded Azurite: stop them when the file ends.
after(async () => {
  await Promise.all(projects.map((dir) => stopAzurite(resolveWorkspace(undefined, dir))));
});

/** A temp project folder with the given files (path → content); its workspace is `<dir>/.tributary`. */
export function project(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'tributary-e2e-'));
  projects.push(dir);
  for (const [rel, content] of Object.entries(files)) {
    const full = path.join(dir, rel);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
  return dir;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The environment without TRIBUTARY_WORKSPACE, so the workspace is `<cwd>/.tributary`. */
function withoutWorkspace(): NodeJS.ProcessEnv {
  const { TRIBUTARY_WORKSPACE: _ignored, ...rest } = process.env;
  return rest;
}
