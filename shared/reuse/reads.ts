/**
 * Read tracking for Python steps: which commands it applies to, and what the audit hook
 * (`python/reads/sitecustomize.py`) wrote. Pure.
 */
import type { StepDefinition } from '../model/definition';
import { isNarrowable, type CheckItem, type SnapshotIndex } from './snapshot-index';

/** Name of the file, in the attempt folder, the hook appends to. */
export const READS_FILE = 'reads.tsv';

/**
 * True for a command that is one Python invocation and nothing else the shell could run: the
 * hook sees only what Python does, so `python a.py && bash b.sh` or `cat x | python` are keyed
 * on their whole snapshot. Placeholders `${{...}}` and `$[[ ... ]]` are fine (values are quoted).
 */
export function isTrackedPythonCommand(template: string): boolean {
  if (!/^\s*python(3(\.\d+)?)?\s/.test(template)) return false;
  let quote: "'" | '"' | undefined;
  for (let i = 0; i < template.length; i++) {
    const c = template[i]!;
    const next = template[i + 1];
    if (quote === "'") {
      if (c === "'") quote = undefined;
    } else if (c === '\\') {
      i++;
    } else if (c === '`' || (c === '$' && next === '(')) {
      return false;
    } else if (quote === '"') {
      if (c === '"') quote = undefined;
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (';&|<>\n'.includes(c)) {
      return false;
    }
  }
  return quote === undefined;
}

/** Steps whose snapshot files are narrowed to what their process observed. */
export function tracksReads(def: StepDefinition): boolean {
  return def.kind === 'command' && def.allowReuse && def.codeDir !== undefined && isTrackedPythonCommand(def.command);
}

export type ReadSet = { observed: CheckItem[] } | { untracked: string };

/**
 * Parses the hook's file into the observations to key on, or why the reads cannot be trusted
 * (the hook never ran, another program was started, a line it cannot understand).
 */
export function parseReads(text: string | undefined): ReadSet {
  if (text === undefined) return { untracked: 'the read-tracking hook wrote nothing (was Python started with -I, -S or -E?)' };
  const items = new Set<CheckItem>();
  let active = false;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const tab = line.indexOf('\t');
    const tag = line.slice(0, tab);
    const value = line.slice(tab + 1);
    if (tab < 0) return { untracked: `unreadable line in ${READS_FILE}: ${JSON.stringify(line)}` };
    if (tag === 'H') active = true;
    else if (tag === 'R') items.add(`r:${value}`);
    else if (tag === 'L') items.add(`l:${value}`);
    else if (tag === 'U') return { untracked: value };
    else return { untracked: `unknown line in ${READS_FILE}: ${JSON.stringify(line)}` };
  }
  if (!active) return { untracked: 'the read-tracking hook did not run (was Python started with -I, -S or -E?)' };
  return { observed: [...items].sort() };
}

/**
 * The observations a reuse decision must check, given the snapshot the step ran on: files that
 * narrowing keeps anyway (in the fixed digest) are left out; everything else stays.
 */
export function itemsToCheck(reads: readonly CheckItem[], index: SnapshotIndex): CheckItem[] {
  return reads.filter((item) => {
    if (!item.startsWith('r:')) return true;
    const rel = item.slice(2);
    return isNarrowable(rel) || index.file(rel) === undefined;
  });
}
