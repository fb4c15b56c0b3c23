/**
 * Resource paths and route keys as API Gateway accepts them: `{param}` segments, a greedy `{proxy+}` only last,
 * route keys `METHOD /path` or `$default` (API Gateway Developer Guide "Set up API resources" and
 * "Working with routes for HTTP APIs").
 */
import type { Loc, Problems } from '../errors.js';

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'] as const;
export const ROUTE_METHODS: readonly string[] = [...HTTP_METHODS, 'ANY'];

const PARAM_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * Checks a resource path; returns its normalized form (no trailing slash) and its path parameter names, or
 * undefined when malformed (problems reported at `loc`).
 */
export function checkResourcePath(
  raw: string,
  loc: Loc,
  problems: Problems,
): { path: string; params: string[] } | undefined {
  if (!raw.startsWith('/')) {
    problems.add(loc, `path ${JSON.stringify(raw)} must start with '/'`);
    return undefined;
  }
  // API Gateway treats `/pets/` and `/pets` as the same resource.
  const path = raw.length > 1 && raw.endsWith('/') ? raw.slice(0, -1) : raw;
  if (path === '/') return { path, params: [] };
  const segments = path.slice(1).split('/');
  const params: string[] = [];
  let ok = true;
  segments.forEach((segment, i) => {
    const fail = (why: string): void => {
      problems.add(loc, `path ${JSON.stringify(raw)}: segment ${JSON.stringify(segment)} ${why}`);
      ok = false;
    };
    if (segment === '') return fail('is empty');
    if (/\s/.test(segment)) return fail('contains whitespace');
    const hasBrace = segment.includes('{') || segment.includes('}');
    if (!hasBrace) return;
    const match = /^\{([^{}+]*)(\+?)\}$/.exec(segment);
    if (!match) return fail("is malformed: a path parameter must be a whole segment, '{name}' or '{name+}'");
    const [, name, greedy] = match;
    if (!name || !PARAM_NAME.test(name)) return fail('has an invalid parameter name (letters, digits, . _ - only)');
    if (greedy && i !== segments.length - 1) return fail('is greedy but a greedy path parameter must be the last segment');
    if (params.includes(name)) return fail(`repeats the path parameter '${name}'`);
    params.push(name);
  });
  return ok ? { path, params } : undefined;
}

/** Parses an HTTP API route key: `$default` or `METHOD /path`. */
export function parseRouteKey(
  routeKey: string,
  loc: Loc,
  problems: Problems,
): { method: string; path: string; params: string[] } | undefined {
  if (routeKey === '$default') return { method: 'ANY', path: '$default', params: [] };
  const match = /^(\S+) (\/\S*)$/.exec(routeKey);
  if (!match) {
    problems.add(loc, `route key ${JSON.stringify(routeKey)} must be '$default' or 'METHOD /path'`);
    return undefined;
  }
  const method = match[1]!;
  if (!ROUTE_METHODS.includes(method)) {
    problems.add(loc, `route key ${JSON.stringify(routeKey)}: method must be one of ${ROUTE_METHODS.join(', ')} (uppercase)`);
    return undefined;
  }
  const checked = checkResourcePath(match[2]!, loc, problems);
  return checked && { method, ...checked };
}

/** `GET /pets/{id}`; HTTP API `$default` stays as is. */
export function routeKeyOf(method: string, path: string): string {
  return path === '$default' ? '$default' : `${method} ${path}`;
}
