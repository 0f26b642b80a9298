/**
 * The replies the process launcher writes, one JSON object per line (see
 * `python/tributary_launcher.py`): a started process, a request that failed or was dropped while it
 * waited, or a process that ended with an exit code or a signal. Checked by hand: two replies per step, and a schema
 * library's failed union branches cost more than the rest of handling a reply.
 */
export type Reply =
  | { id: number; pid: number }
  | { id: number; error: string }
  | { id: number; dropped: true }
  | { exit: number; code: number }
  | { exit: number; signal: string };

const isInt = (v: unknown): v is number => Number.isSafeInteger(v);
const isPid = (v: unknown): v is number => isInt(v) && v > 0;

/** The reply on `line`, or undefined when it is not exactly one of the five shapes. */
export function parseReply(line: string): Reply | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  switch (Object.keys(v).sort().join(',')) {
    case 'id,pid':
      return isInt(v['id']) && isPid(v['pid']) ? { id: v['id'], pid: v['pid'] } : undefined;
    case 'dropped,id':
      return isInt(v['id']) && v['dropped'] === true ? { id: v['id'], dropped: true } : undefined;
    case 'error,id':
      return isInt(v['id']) && typeof v['error'] === 'string' ? { id: v['id'], error: v['error'] } : undefined;
    case 'code,exit':
      return isPid(v['exit']) && isInt(v['code']) ? { exit: v['exit'], code: v['code'] } : undefined;
    case 'exit,signal':
      return isPid(v['exit']) && typeof v['signal'] === 'string' ? { exit: v['exit'], signal: v['signal'] } : undefined;
    default:
      return undefined;
  }
}
