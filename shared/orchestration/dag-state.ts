/**
 * The state of a DAG walk as flat arrays indexed by step position, with a compact, JSON-safe
 * snapshot. The run orchestration carries the snapshot from one Durable generation to the next
 * (continue-as-new) and every replay decodes it, so decoding must cost little more than copying
 * bytes: names travel as one string, numbers as base64 of a typed array (no per-step objects).
 */
import type { RunPlan } from './messages';

export const PENDING = 0;
export const RUNNING = 1;
export const DONE = 2;
export const SKIPPED = 3;

/** JSON-safe form of a DagState (see `encodeDagState`). */
export interface DagSnapshot {
  /** Step names in plan order, each followed by "\n" (step names never contain one). */
  names: string;
  /** base64 of little-endian words: header, name starts, downstream edges, counters, ready queue. */
  ints: string;
  /** Bytes per word of `ints`: 2 while every value fits, else 4. */
  wordBytes: 2 | 4;
  /** base64 of one status byte per step. */
  status: string;
}

/** Typed-array word storage: 16-bit for every pipeline whose numbers fit, 32-bit otherwise. */
export type Words = Uint16Array | Uint32Array;

const HEADER_WORDS = 6;

export class DagState {
  private nameIndex?: Map<string, number>;

  constructor(
    /** Names joined as in `DagSnapshot.names`; `nameStarts[i]` is where name i begins (n + 1 entries). */
    readonly joinedNames: string,
    readonly nameStarts: Words,
    /** Downstream edges in compressed rows: step i's are `down[downStart[i] .. downStart[i + 1])`. */
    readonly downStart: Words,
    readonly down: Words,
    readonly status: Uint8Array,
    /** Upstream steps each step still waits for. */
    readonly waiting: Words,
    /** Steps that became ready, in order; `ready[readyHead..]` have not been looked at yet. */
    public ready: number[],
    public unfinished: number,
    public running: number,
    public stopping: boolean,
    readonly continueOnStepFailure: boolean,
    public readyHead = 0,
  ) {}

  get size(): number {
    return this.status.length;
  }

  nameAt(index: number): string {
    return this.joinedNames.slice(this.nameStarts[index], this.nameStarts[index + 1]! - 1);
  }

  /** Position of a step by name (builds a lookup table on first use: O(n) once). */
  indexOf(name: string): number | undefined {
    if (!this.nameIndex) {
      this.nameIndex = new Map();
      for (let i = 0; i < this.size; i++) this.nameIndex.set(this.nameAt(i), i);
    }
    return this.nameIndex.get(name);
  }
}

export function dagStateFromPlan(plan: RunPlan): DagState {
  const n = plan.steps.length;
  const index = new Map(plan.steps.map((s, i) => [s.name, i]));
  const downCount = new Uint32Array(n);
  const waiting = new Uint32Array(n);
  plan.steps.forEach((s, i) => {
    waiting[i] = s.after.length;
    for (const up of s.after) downCount[indexOf(index, up, s.name)]!++;
  });
  const downStart = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) downStart[i + 1] = downStart[i]! + downCount[i]!;
  const down = new Uint32Array(downStart[n]!);
  const fill = downStart.slice(0, n);
  plan.steps.forEach((s, i) => {
    for (const up of s.after) down[fill[indexOf(index, up, s.name)]!++] = i;
  });
  const joined = plan.steps.map((s) => `${s.name}\n`).join('');
  const nameStarts = new Uint32Array(n + 1);
  plan.steps.forEach((s, i) => (nameStarts[i + 1] = nameStarts[i]! + s.name.length + 1));
  const ready = plan.steps.flatMap((s, i) => (s.after.length === 0 ? [i] : []));
  return new DagState(joined, nameStarts, downStart, down, new Uint8Array(n), waiting, ready, n, 0, false, plan.continueOnStepFailure);
}

function indexOf(index: Map<string, number>, name: string, of: string): number {
  const i = index.get(name);
  if (i === undefined) throw new Error(`step "${of}" runs after unknown step "${name}"`);
  return i;
}

export function encodeDagState(state: DagState): DagSnapshot {
  const n = state.size;
  const e = state.down.length;
  const ready = state.ready.slice(state.readyHead);
  const header = [n, e, state.unfinished, state.running, (state.stopping ? 1 : 0) | (state.continueOnStepFailure ? 2 : 0), ready.length];
  const parts = [header, state.nameStarts, state.downStart, state.down, state.waiting, ready];
  // Every value is at most the largest name offset, edge count or step count.
  const wordBytes = Math.max(state.joinedNames.length, e, n) <= 0xffff ? 2 : 4;
  const words = new (wordBytes === 2 ? Uint16Array : Uint32Array)(parts.reduce((sum, p) => sum + p.length, 0));
  let at = 0;
  for (const part of parts) {
    words.set(part, at);
    at += part.length;
  }
  return {
    names: state.joinedNames,
    ints: Buffer.from(words.buffer, words.byteOffset, words.byteLength).toString('base64'),
    wordBytes,
    status: Buffer.from(state.status).toString('base64'),
  };
}

export function decodeDagState(snapshot: DagSnapshot): DagState {
  // Copy into a fresh (aligned) buffer: decoded bytes may sit at any offset of a pooled buffer.
  const bytes = new Uint8Array(Buffer.from(snapshot.ints, 'base64'));
  const words: Words = snapshot.wordBytes === 2 ? new Uint16Array(bytes.buffer) : new Uint32Array(bytes.buffer);
  const [n, e, unfinished, running, flags, readyLength] = Array.from(words.subarray(0, HEADER_WORDS));
  let at = HEADER_WORDS;
  const take = (length: number): Words => words.subarray(at, (at += length));
  const nameStarts = take(n! + 1);
  const downStart = take(n! + 1);
  const down = take(e!);
  const waiting = take(n!);
  const ready = Array.from(take(readyLength!));
  const status = new Uint8Array(Buffer.from(snapshot.status, 'base64'));
  if (status.length !== n || at !== words.length) throw new Error('corrupt DAG snapshot');
  return new DagState(snapshot.names, nameStarts, downStart, down, status, waiting, ready, unfinished!, running!, (flags! & 1) === 1, (flags! & 2) === 2);
}
