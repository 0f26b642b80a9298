/** The errno code of a Node fs error (`ENOENT`, `ELOOP`, ...), if it has one. */
export function errorCode(err: unknown): string | undefined {
  return err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined;
}

export function isMissing(err: unknown): boolean {
  return errorCode(err) === 'ENOENT';
}
