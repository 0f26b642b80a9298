import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { describe, test } from 'node:test';

const PRELOAD = path.resolve(__dirname, '../../shared/datastore/azurite/without-telemetry.js');
const AZURITE_TELEMETRY = require.resolve('azurite/dist/src/common/Telemetry.js');

describe('Azurite started without telemetry', () => {
  test('Application Insights is an empty module to it; every other module loads as usual', () => {
    const script = `const t = require(${JSON.stringify(AZURITE_TELEMETRY)}).AzuriteTelemetryClient; console.log(JSON.stringify({ ai: t.appInsights, path: typeof require('node:path').join }))`;
    const out = execFileSync(process.execPath, ['--require', PRELOAD, '-e', script], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(out), { ai: {}, path: 'function' });
  });
});
