import type { ServerLog } from '../shared/api/services';

/** JSON lines on stderr: the local host's server log (error details and correlation ids; never credentials). */
export const stderrLog: ServerLog = {
  info: (message, fields) => process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), level: 'info', message, ...fields })}\n`),
  error: (message, fields) => process.stderr.write(`${JSON.stringify({ at: new Date().toISOString(), level: 'error', message, ...fields })}\n`),
};
