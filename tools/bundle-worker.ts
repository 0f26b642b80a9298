/**
 * Build step after `tsc`: bundles the local worker (`dist/shared/local/worker-main.js` and every
 * module it loads, the Azure SDK included) into one file, `dist/bundle/worker-main.js`. Every run
 * starts a worker, and Node resolving and reading some 900 files cost it ~40 ms of its ~130 ms
 * of loading, on the path of the run's first step (measured on the all-reused 1,002-step rerun).
 *
 * Each bundled module keeps the `__dirname` it had in `dist/`, so the files found relative to it
 * (the Python launcher, the hash worker threads, Azurite's preload) are where they were. Modules
 * the worker starts in other processes or threads stay unbundled files.
 *
 *   node dist/tools/bundle-worker.js      (part of `npm run build`)
 */
import { build, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const DIST = path.resolve(__dirname, '..');
const WORKER_ENTRY = path.join(DIST, 'shared', 'local', 'worker-main.js');
const WORKER_BUNDLE = path.join(DIST, 'bundle', 'worker-main.js');

/** Rewrites `__dirname` in our own modules to their folder in `dist/`, relative to the bundle's. */
const keepDirname: Plugin = {
  name: 'keep-dirname',
  setup(b) {
    b.onLoad({ filter: /\.js$/ }, async (args) => {
      if (!args.path.startsWith(`${DIST}${path.sep}`)) return undefined;
      const source = await readFile(args.path, 'utf8');
      if (!source.includes('__dirname')) return undefined;
      const rel = path.relative(path.dirname(WORKER_BUNDLE), path.dirname(args.path)).split(path.sep).join('/');
      const own = `require('node:path').join(__dirname, ${JSON.stringify(rel)})`;
      return { contents: source.replace(/\b__dirname\b/g, own), loader: 'js', resolveDir: path.dirname(args.path) };
    });
  },
};

async function main(): Promise<void> {
  const result = await build({
    entryPoints: [WORKER_ENTRY],
    outfile: WORKER_BUNDLE,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    sourcemap: 'linked',
    logLevel: 'warning',
    // Loaded on demand, where Entra ID or Azure credentials are used: not by a local worker; and
    // Azurite, which runs as a process of its own.
    external: ['@azure/identity', 'jose', 'azurite'],
    plugins: [keepDirname],
  });
  if (result.errors.length > 0 || result.warnings.length > 0) {
    throw new Error(`bundling the worker: ${result.errors.length} errors, ${result.warnings.length} warnings (see above)`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
