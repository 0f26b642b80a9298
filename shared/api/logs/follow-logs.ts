/**
 * A step's log as a byte stream: what is there now, and with `follow` whatever is appended until
 * the step attempt ends (or the run ends without the step starting). Polls the store and the
 * log source; the consumer stops it early by ending the iteration (client gone).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { isTerminal } from '../../store/records';
import type { RunStore } from '../../store/run-store';
import type { LogStream, StepLogSource } from './step-log-source';

export interface FollowRequest {
  runs: RunStore;
  logs: StepLogSource;
  runId: string;
  step: string;
  /** A fixed attempt, or undefined for the step's current attempt (1 before it starts). */
  attempt?: number;
  streams: LogStream[];
  follow: boolean;
  pollMs?: number;
}

const CHUNK_BYTES = 64 * 1024;

export async function* stepLogChunks(req: FollowRequest): AsyncGenerator<Uint8Array> {
  const offsets = new Map<LogStream, number>(req.streams.map((s) => [s, 0]));
  let attempt = req.attempt;
  for (;;) {
    // Decide "finished" before reading, so the last read happens after the step's final write.
    const record = await req.runs.getStepRun(req.runId, req.step);
    attempt ??= record && record.attempt > 0 ? record.attempt : undefined;
    const finished = await isFinished(req, record, attempt);
    if (attempt !== undefined) {
      for (const stream of req.streams) {
        for (;;) {
          const chunk = await req.logs.read(req.runId, req.step, attempt, stream, offsets.get(stream)!, CHUNK_BYTES);
          if (chunk.byteLength === 0) break;
          offsets.set(stream, offsets.get(stream)! + chunk.byteLength);
          yield chunk;
        }
      }
    }
    if (!req.follow || finished) return;
    await sleep(req.pollMs ?? 250);
  }
}

async function isFinished(
  req: FollowRequest,
  record: { status: Parameters<typeof isTerminal>[0]; attempt: number } | undefined,
  attempt: number | undefined,
): Promise<boolean> {
  if (record && (isTerminal(record.status) || (attempt !== undefined && record.attempt !== attempt))) return true;
  const run = await req.runs.getRun(req.runId);
  return !run || isTerminal(run.status);
}
