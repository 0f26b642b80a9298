/**
 * A remote URL safe to record: credentials removed. `https://user:token@host/x` becomes
 * `https://host/x` (for http(s) the user name goes too: it is often a token); other URL schemes
 * keep the user and lose only a password (`ssh://git:pw@host/x` → `ssh://git@host/x`); scp-like
 * `git@host:org/repo` and local paths are kept as they are. Only the user-info part is changed.
 */
export function stripCredentials(url: string): string {
  const match = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)([^/?#]*)(.*)$/s.exec(url);
  if (!match) return url;
  const scheme = match[1]!;
  const authority = match[2]!;
  const rest = match[3]!;
  const at = authority.lastIndexOf('@');
  if (at < 0) return url;
  const userInfo = authority.slice(0, at);
  const host = authority.slice(at + 1);
  if (/^https?:\/\/$/i.test(scheme)) return `${scheme}${host}${rest}`;
  const colon = userInfo.indexOf(':');
  return colon < 0 ? url : `${scheme}${userInfo.slice(0, colon)}@${host}${rest}`;
}
