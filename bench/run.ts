/**
 * `npm run bench -- <name> [args…]`: runs `dist/bench/<name>.js` on the Node.js this project pins
 * (the CLI and worker the benchmarks start need it), e.g. `npm run bench -- fanout`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';

const [name, ...args] = process.argv.slice(2);
const available = readdirSync(__dirname).filter((f) => f.endsWith('.js') && f !== 'run.js').map((f) => f.slice(0, -3));
if (!name || !existsSync(path.join(__dirname, `${name}.js`)) || name === 'run') {
  console.error(`usage: npm run bench -- <name> [args…]   (name: ${available.join(', ')})`);
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--disable-warning=ExperimentalWarning', path.join(__dirname, `${name}.js`), ...args], { stdio: 'inherit' });
process.exit(result.status ?? 1);
