/** Messages between the run dispatcher (local host) and its worker processes, over the IPC channel. */

export type ToWorker = { type: 'drive'; runId: string };
export type FromWorker = { type: 'done'; runId: string };

function isMessage(value: unknown, type: string): value is { type: string; runId: string } {
  return typeof value === 'object' && value !== null && 'type' in value && value.type === type && 'runId' in value && typeof value.runId === 'string';
}

export const isToWorker = (value: unknown): value is ToWorker => isMessage(value, 'drive');
export const isFromWorker = (value: unknown): value is FromWorker => isMessage(value, 'done');
