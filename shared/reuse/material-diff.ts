/**
 * What differs between the key material of two runs of a step, in words a user can act on:
 * which snapshot file, which input file or upstream output, which parameter, which part of the
 * command or environment. Pure; `explain` and `plan` print it.
 */
import type { DataOrigin, FileEntry, InputIdentity, KeyMaterial } from './key-material';
import { isNarrowable, type CheckItem, type SnapshotIndex } from './snapshot-index';

export interface Difference {
  what: 'kind' | 'command' | 'input' | 'environment' | 'outputs' | 'snapshot';
  /** The input, variable or snapshot path concerned. */
  name?: string;
  detail: string;
}

export interface SnapshotPair {
  current?: SnapshotIndex;
  earlier?: SnapshotIndex;
  /** What the earlier (Python) run observed: only those and the files narrowing keeps matter. */
  earlierObserved?: readonly CheckItem[];
}

export function diffMaterial(current: KeyMaterial, earlier: KeyMaterial, snapshots: SnapshotPair): Difference[] {
  const out: Difference[] = [];
  if (current.kind !== earlier.kind) out.push({ what: 'kind', detail: `step kind ${earlier.kind} → ${current.kind}` });
  if (current.command !== earlier.command) out.push({ what: 'command', detail: `command ${JSON.stringify(earlier.command)} → ${JSON.stringify(current.command)}` });
  for (const name of union(current.inputs, earlier.inputs)) out.push(...diffInput(name, current.inputs[name], earlier.inputs[name]));
  out.push(...diffEnvironment(current, earlier));
  for (const name of union(current.outputs, earlier.outputs)) {
    if (current.outputs[name] !== earlier.outputs[name]) {
      out.push({ what: 'outputs', name, detail: `output ${name}: ${earlier.outputs[name] ?? 'not declared'} → ${current.outputs[name] ?? 'not declared'}` });
    }
  }
  if (current.snapshot !== earlier.snapshot) out.push(...diffSnapshot(current.snapshot, earlier.snapshot, snapshots));
  return out;
}

function diffInput(name: string, now: InputIdentity | undefined, was: InputIdentity | undefined): Difference[] {
  const d = (detail: string): Difference[] => [{ what: 'input', name, detail }];
  if (!now || !was) return d(`input ${name}: ${was ? 'no longer bound' : 'newly bound'}`);
  if (now.kind === 'scalar' && was.kind === 'scalar') {
    return now.value === was.value && now.type === was.type ? [] : d(`parameter ${name}: ${show(was.value)} → ${show(now.value)}`);
  }
  if (now.kind !== 'data' || was.kind !== 'data') return d(`input ${name}: was ${was.kind}, now ${now.kind}`);
  if (now.fingerprint === was.fingerprint && now.type === was.type) return [];
  if (now.type !== was.type) return d(`input ${name}: type ${was.type} → ${now.type}`);
  if (now.origin.kind === 'upstream' && was.origin.kind === 'upstream') {
    return d(`input ${name}: upstream output ${now.origin.step}.${now.origin.output} changed (run ${was.origin.runId} → ${now.origin.runId})`);
  }
  const where = describeOrigin(now.origin);
  const moved = describeOrigin(was.origin) !== where ? ` (was ${describeOrigin(was.origin)})` : '';
  if (now.origin.kind === 'path' && was.origin.kind === 'path' && now.origin.files && was.origin.files) {
    const files = diffFiles(now.origin.files, was.origin.files);
    if (files.length > 0) return files.map((f) => ({ what: 'input', name, detail: `input ${name} (${where}${moved}): ${f}` }));
  }
  return d(`input ${name} (${where}${moved}): content changed`);
}

function diffFiles(now: FileEntry[], was: FileEntry[]): string[] {
  const before = new Map(was.map((f) => [f.path, f]));
  const after = new Map(now.map((f) => [f.path, f]));
  const out: string[] = [];
  for (const [p, f] of after) {
    const old = before.get(p);
    if (!old) out.push(`file ${p} added`);
    else if (old.hash !== f.hash || old.size !== f.size) out.push(`file ${p} changed (${old.size} → ${f.size} bytes)`);
  }
  for (const p of before.keys()) if (!after.has(p)) out.push(`file ${p} removed`);
  return out;
}

function diffEnvironment(current: KeyMaterial, earlier: KeyMaterial): Difference[] {
  const now = current.environment;
  const was = earlier.environment;
  const out: Difference[] = [];
  const env = (name: string, detail: string) => out.push({ what: 'environment', name, detail });
  if (now.image !== was.image) env('image', `image ${was.image ?? 'none'} → ${now.image ?? 'none'}`);
  if (now.reference !== was.reference) env('reference', `environment ${was.reference ?? 'none'} → ${now.reference ?? 'none'}`);
  if (now.condaFile?.sha256 !== was.condaFile?.sha256 || (!now.condaFile?.sha256 && now.condaFile?.path !== was.condaFile?.path)) {
    env('conda_file', `conda file ${now.condaFile?.path ?? was.condaFile?.path} changed`);
  }
  for (const name of union(now.variables, was.variables)) {
    if (now.variables[name] !== was.variables[name]) {
      env(name, `environment variable ${name}: ${show(was.variables[name])} → ${show(now.variables[name])}`);
    }
  }
  return out;
}

function diffSnapshot(now: string | undefined, was: string | undefined, pair: SnapshotPair): Difference[] {
  const snap = (name: string | undefined, detail: string): Difference => ({ what: 'snapshot', ...(name !== undefined ? { name } : {}), detail });
  if (!pair.current || !pair.earlier) return [snap(undefined, `snapshot ${short(was)} → ${short(now)} (manifests not available to compare)`)];
  const { current, earlier } = pair;
  const out: Difference[] = [];
  const considered = (p: string) => !pair.earlierObserved || !isNarrowable(p);
  const paths = new Set([...current.manifest.files, ...earlier.manifest.files].map((f) => f.path));
  for (const p of [...paths].sort()) {
    if (!considered(p)) continue;
    const a = earlier.file(p);
    const b = current.file(p);
    if (!a) out.push(snap(p, `snapshot file ${p} added`));
    else if (!b) out.push(snap(p, `snapshot file ${p} removed`));
    else if (a.sha256 !== b.sha256) out.push(snap(p, `snapshot file ${p} changed`));
    else if (a.mode !== b.mode) out.push(snap(p, `snapshot file ${p} mode ${a.mode.toString(8)} → ${b.mode.toString(8)}`));
  }
  for (const item of pair.earlierObserved ?? []) {
    const rel = item.slice(2);
    if (current.state(item) === earlier.state(item) || (item.startsWith('r:') && !isNarrowable(rel) && (current.file(rel) || earlier.file(rel)))) continue;
    const label = rel === '' ? 'the snapshot root' : rel;
    if (item.startsWith('l:')) out.push(snap(rel, `listing of ${label === rel ? `folder ${rel}` : label} changed (a file it lists was added or removed)`));
    else if (earlier.state(item) === '-') out.push(snap(rel, `snapshot file ${label} added (the step looked for it)`));
    else if (current.state(item) === '-') out.push(snap(rel, `snapshot file ${label} removed (the step read it)`));
    else out.push(snap(rel, `snapshot file ${label} changed (the step read it)`));
  }
  return out;
}

function describeOrigin(origin: DataOrigin): string {
  return origin.kind === 'path' ? origin.uri : `${origin.step}.${origin.output}`;
}

function union(a: object, b: object): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
}

function show(value: unknown): string {
  return value === undefined ? 'unset' : JSON.stringify(value);
}

function short(id: string | undefined): string {
  return id ? id.slice(0, 12) : 'none';
}
