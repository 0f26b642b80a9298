/**
 * Route templates as Azure Functions writes them (`runs/{id}/steps/{step}/logs`, `{*path}`),
 * matched the way its host does: literal segments (case-insensitive) before `{param}` segments
 * before a `{*catchAll}`, and only routes that allow the method. The local host routes with it;
 * in Azure the Functions host does the same from the registrations.
 */

type Segment = { kind: 'literal'; text: string } | { kind: 'param'; name: string } | { kind: 'catchAll'; name: string };

export interface RouteTemplate {
  methods: readonly string[];
  route: string;
}

interface Compiled<T> {
  item: T;
  segments: Segment[];
  /** Per segment: 3 literal, 2 parameter, 1 catch-all; compared left to right, higher first. */
  rank: number[];
}

function compile(route: string): Segment[] {
  return route.split('/').map((part): Segment => {
    const param = /^\{(\*?)([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(part);
    if (!param) return { kind: 'literal', text: part.toLowerCase() };
    return param[1] ? { kind: 'catchAll', name: param[2]! } : { kind: 'param', name: param[2]! };
  });
}

function compareRanks(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (b[i] ?? 0) - (a[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Path segments, percent-decoded; undefined when an escape is malformed. */
function splitPath(path: string): string[] | undefined {
  try {
    return path.replace(/\/$/, '').split('/').map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

export class Router<T extends RouteTemplate> {
  private readonly routes: Compiled<T>[];

  constructor(items: readonly T[]) {
    this.routes = items
      .map((item) => {
        const segments = compile(item.route);
        return { item, segments, rank: segments.map((s) => (s.kind === 'literal' ? 3 : s.kind === 'param' ? 2 : 1)) };
      })
      .sort((a, b) => compareRanks(a.rank, b.rank));
  }

  /** The best route for `method` and `path` (the part after `/api/`), with its parameters. */
  match(method: string, path: string): { item: T; params: Record<string, string> } | undefined {
    const parts = splitPath(path);
    if (!parts) return undefined;
    for (const route of this.routes) {
      if (!route.item.methods.includes(method.toUpperCase())) continue;
      const params = matchSegments(route.segments, parts);
      if (params) return { item: route.item, params };
    }
    return undefined;
  }

  /** Methods some route allows on `path` (for "wrong method" messages). */
  allowedMethods(path: string): string[] {
    const parts = splitPath(path);
    if (!parts) return [];
    const methods = this.routes.filter((r) => matchSegments(r.segments, parts)).flatMap((r) => r.item.methods);
    return [...new Set(methods)];
  }
}

function matchSegments(segments: Segment[], parts: string[]): Record<string, string> | undefined {
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.kind === 'catchAll') {
      params[segment.name] = parts.slice(i).join('/');
      return params;
    }
    const part = parts[i];
    if (part === undefined || part === '') return undefined;
    if (segment.kind === 'literal' ? part.toLowerCase() !== segment.text : false) return undefined;
    if (segment.kind === 'param') params[segment.name] = part;
  }
  return parts.length === segments.length ? params : undefined;
}
