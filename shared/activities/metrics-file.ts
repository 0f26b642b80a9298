import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { MetricRecord } from '../store/records';

/**
 * Reads the metrics a step appended to TRIBUTARY_METRICS_FILE: one JSON object per line,
 * `{"name": "accuracy", "value": 0.93}` with an optional `"step"` index. Lines that are not such an
 * object are reported as a metric named `tributary.invalid_metric_line` so nothing is silently lost.
 */
export async function readMetricsFile(file: string, runId: string, step: string): Promise<MetricRecord[]> {
  // Most steps log no metrics: one existence check instead of a failed read and its error object.
  if (!existsSync(file)) return [];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return [];
  }
  const loggedAt = new Date().toISOString();
  const metrics: MetricRecord[] = [];
  for (const [i, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    const parsed = parseLine(line);
    if (parsed) {
      metrics.push({ runId, step, loggedAt, ...parsed });
    } else {
      metrics.push({ runId, step, loggedAt, name: 'tributary.invalid_metric_line', value: `line ${i + 1}: ${line.slice(0, 200)}` });
    }
  }
  return metrics;
}

function parseLine(line: string): Pick<MetricRecord, 'name' | 'value' | 'index'> | undefined {
  try {
    const obj: unknown = JSON.parse(line);
    if (typeof obj !== 'object' || obj === null) return undefined;
    const { name, value, step } = obj as Record<string, unknown>;
    if (typeof name !== 'string' || name === '') return undefined;
    if (typeof value !== 'number' && typeof value !== 'string') return undefined;
    if (step !== undefined && typeof step !== 'number') return undefined;
    return { name, value, ...(step !== undefined ? { index: step } : {}) };
  } catch {
    return undefined;
  }
}
