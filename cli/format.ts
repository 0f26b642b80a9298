/** Text formatting for the CLI: durations, tables, status colours. */
import type { RunStatus } from '../shared/store/records';

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || Number.isNaN(ms)) return '-';
  if (ms < 1000) return `${ms}ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${Math.round(s % 60)}s`;
  return `${Math.floor(m / 60)}h${m % 60}m`;
}

export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(headers), ...rows.map(line)].join('\n');
}

const COLOURS: Partial<Record<RunStatus, string>> = { Completed: '32', Failed: '31', Canceled: '33', Running: '36', CancelRequested: '33' };

export function colourStatus(status: RunStatus, tty: boolean): string {
  const code = COLOURS[status];
  return tty && code ? `\x1b[${code}m${status}\x1b[0m` : status;
}

/** Control characters other than newline and tab (what a name given by a user may smuggle into a message). */
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** `text` with control characters written as `\u001b`, so a message cannot drive the terminal it is printed on. */
export function visible(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
