import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { APP_SETTING_NAMES } from '../../functions/durable/settings';

/**
 * Every setting the Function App's code reads must be listed in local.settings.example.json and
 * set by infra/ (`appSettings` in infra/main.bicep; `X__accountName`-style identity-based forms
 * count for X). "The Function App's code" is every module of functions/ and shared/ that the
 * entry point loads: CLI-only settings (TRIBUTARY_URL, ...) are not the app's. Settings read only
 * by local compute (`func start` on one machine with TRIBUTARY_LOCAL_COMPUTE=true) need only be in
 * local.settings.example.json.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..');
const LOCAL_ONLY = ['shared/compute/local/'];
const MARK = 'loaded modules: ';

/** Environment variables the code reads that are not app settings, and why. */
const NOT_SETTINGS: Record<string, string> = {
  PYTHONPATH: "the platform's: step processes inherit it with the Python helper folder prepended",
  TRIBUTARY_AZURITE_PORT: 'read only for a datastore on the embedded Azurite, which the Function App never registers',
};
/** Reads whose name is computed at run time, and which settings they are. */
const DYNAMIC_READS: Record<string, string> = {
  'shared/datastore/blob/blob-clients.ts process.env[variable]': 'the connection-string setting a datastore names: AzureWebJobsStorage in the Function App (app-datastore.ts)',
};

/** Source files (repository-relative .ts) of the modules the entry point loads, from a fresh process. */
function appSourceFiles(): string[] {
  const script = `require(${JSON.stringify(path.join(ROOT, 'dist', 'functions', 'index.js'))}); process.stdout.write('\\n' + MARK + JSON.stringify(Object.keys(require.cache)));`;
  // Registration modules print test-mode notices on stdout too: the list is the line after the mark.
  const output = execFileSync(process.execPath, ['-e', `const MARK = ${JSON.stringify(MARK)}; ${script}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const loaded: string[] = JSON.parse(output.slice(output.lastIndexOf(MARK) + MARK.length));
  const dist = path.join(ROOT, 'dist') + path.sep;
  return loaded
    .filter((file) => file.startsWith(dist))
    .map((file) => path.relative(dist, file).replace(/\.js$/, '.ts').split(path.sep).join('/'))
    .filter((file) => file.startsWith('functions/') || file.startsWith('shared/'));
}

/**
 * Names read from the environment in one source file: `process.env.X`, `process.env['X']`, and the
 * same on a parameter defaulting to `process.env`; `[CONST]` is resolved to the constant's value.
 */
function reads(file: string, source: string): { names: string[]; dynamic: string[] } {
  const names: string[] = [];
  const dynamic: string[] = [];
  const constant = (ident: string) => new RegExp(`const ${ident}\\s*(?::[^=]+)?=\\s*['"]([^'"]+)['"]`).exec(source)?.[1];
  const envs = ['process\\.env', ...[...source.matchAll(/\b(\w+)\s*:\s*NodeJS\.ProcessEnv\s*=\s*process\.env\b/g)].map((m) => m[1]!)];
  const notWritten = '(?!\\s*=[^=])'; // `env[name] = value` builds an environment: a write, not a read
  for (const env of envs) {
    for (const m of source.matchAll(new RegExp(`\\b${env}\\.([A-Za-z_][A-Za-z0-9_]*)${notWritten}`, 'g'))) names.push(m[1]!);
    for (const m of source.matchAll(new RegExp(`\\b${env}\\[\\s*['"]([^'"]+)['"]\\s*\\]${notWritten}`, 'g'))) names.push(m[1]!);
    for (const m of source.matchAll(new RegExp(`\\b${env}\\[\\s*([A-Za-z_$][\\w$]*)\\s*\\]${notWritten}`, 'g'))) {
      const name = constant(m[1]!);
      if (name) names.push(name);
      else dynamic.push(`${file} ${m[0].replace(/\s+/g, '')}`);
    }
  }
  return { names, dynamic };
}

function infraSettings(): string {
  const main = readFileSync(path.join(ROOT, 'infra', 'main.bicep'), 'utf8');
  const block = /^var appSettings = \{\n([\s\S]*?)^\}/m.exec(main);
  assert.ok(block, 'infra/main.bicep has a `var appSettings = { ... }` block');
  return block[1]!;
}

it('every setting the Function App reads is in local.settings.example.json and in infra/', () => {
  const files = appSourceFiles();
  assert.ok(files.includes('functions/index.ts') && files.includes('shared/api/auth/auth-settings.ts'), `entry point modules found: ${files.length}`);
  const azure = new Set<string>(APP_SETTING_NAMES);
  const localOnly = new Set<string>();
  const unexplained: string[] = [];
  for (const file of files) {
    const found = reads(file, readFileSync(path.join(ROOT, file), 'utf8'));
    for (const name of found.names) (LOCAL_ONLY.some((p) => file.startsWith(p)) ? localOnly : azure).add(name);
    unexplained.push(...found.dynamic.filter((read) => !(read in DYNAMIC_READS)));
  }
  assert.deepEqual(unexplained, [], 'reads of computed names: explain them in DYNAMIC_READS');
  for (const name of Object.keys(NOT_SETTINGS)) {
    azure.delete(name);
    localOnly.delete(name);
  }
  for (const name of ['COSMOS_ENDPOINT', 'TRIBUTARY_AUTH', 'TRIBUTARY_ENTRA_AUDIENCE', 'TRIBUTARY_WORKSPACE']) assert.ok(azure.has(name), `the scan finds ${name}`);

  const local = Object.keys(JSON.parse(readFileSync(path.join(ROOT, 'local.settings.example.json'), 'utf8')).Values);
  const infra = infraSettings();
  const inInfra = (name: string) => new RegExp(`^\\s*${name}(__\\w+)?\\s*:`, 'm').test(infra);
  const missingLocal = [...azure, ...localOnly].filter((name) => !local.includes(name)).sort();
  const missingInfra = [...azure].filter((name) => !inInfra(name)).sort();
  assert.deepEqual({ missingLocal, missingInfra }, { missingLocal: [], missingInfra: [] }, `settings read by the code but not listed: local.settings.example.json: ${missingLocal.join(', ') || '-'}; infra/main.bicep appSettings: ${missingInfra.join(', ') || '-'}`);
});

it('infra/ sets no setting twice and keeps secrets out: no keys or connection strings of its own', () => {
  const lines = infraSettings().split('\n').map((l) => /^\s*(\w+)\s*:/.exec(l)?.[1]).filter((n): n is string => n !== undefined);
  assert.equal(new Set(lines).size, lines.length, lines.join(', '));
  assert.doesNotMatch(infraSettings(), /listKeys|AccountKey=|primaryMasterKey/);
  for (const file of readdirSync(path.join(ROOT, 'infra', 'modules'))) assert.doesNotMatch(readFileSync(path.join(ROOT, 'infra', 'modules', file), 'utf8'), /listKeys|primaryMasterKey/, file);
});
