import { randomBytes } from 'node:crypto';

/**
 * Readable, sortable run ids: `<experiment>_<yyyymmddThhmmss>_<6 hex>`, at most 100 characters,
 * safe as folder names, blob path segments and Durable instance ids.
 */
export function newRunId(experiment: string, at: Date = new Date()): string {
  const slug = experiment.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+/, '').slice(0, 60) || 'run';
  const stamp = at.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, '');
  return `${slug}_${stamp}_${randomBytes(3).toString('hex')}`;
}
