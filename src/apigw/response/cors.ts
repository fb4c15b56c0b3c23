/**
 * HTTP API CORS (`CorsConfiguration`): the gateway answers preflight OPTIONS itself and adds the
 * Access-Control-* headers to every response from an allowed origin, errors included.
 * AWS docs: "Configuring CORS for an HTTP API".
 */
import type { CorsConfiguration } from '../../definitions/model.js';
import { HeaderList } from '../../core/header-list.js';

export interface CompiledCors {
  /** Headers for a preflight request, or null when the origin is not allowed. */
  preflight(origin: string | undefined, requestHeaders: string | undefined): HeaderList | null;
  /** Adds the actual-response headers for an allowed origin. */
  decorate(origin: string | undefined, headers: HeaderList): void;
}

export function compileCors(config: CorsConfiguration): CompiledCors {
  const anyOrigin = config.allowOrigins.includes('*');
  const origins = new Set(config.allowOrigins.map((o) => o.toLowerCase()));
  const wildcardOrigins = config.allowOrigins
    .filter((o) => o.includes('*') && o !== '*')
    .map((o) => new RegExp('^' + o.toLowerCase().split('*').map((p) => p.replace(/[.+?^${}()|[\]\\/]/g, '\\$&')).join('.*') + '$'));
  const allowedOrigin = (origin: string | undefined): string | null => {
    if (origin === undefined) return null;
    if (anyOrigin) return config.allowCredentials ? origin : '*';
    const lower = origin.toLowerCase();
    if (origins.has(lower) || wildcardOrigins.some((r) => r.test(lower))) return origin;
    return null;
  };
  const methods = config.allowMethods.map((m) => m.toUpperCase()).join(',');
  const allowHeaders = config.allowHeaders.join(',');
  const exposeHeaders = config.exposeHeaders.join(',');

  return {
    preflight(origin, requestHeaders) {
      const allowed = allowedOrigin(origin);
      if (allowed === null) return null;
      const headers = new HeaderList();
      headers.set('access-control-allow-origin', allowed);
      if (methods !== '') headers.set('access-control-allow-methods', methods === '*' ? '*' : methods);
      const allowHeadersValue = config.allowHeaders.includes('*') && requestHeaders !== undefined ? requestHeaders : allowHeaders;
      if (allowHeadersValue !== '') headers.set('access-control-allow-headers', allowHeadersValue);
      if (config.maxAge !== undefined) headers.set('access-control-max-age', String(config.maxAge));
      if (config.allowCredentials) headers.set('access-control-allow-credentials', 'true');
      if (exposeHeaders !== '') headers.set('access-control-expose-headers', exposeHeaders);
      return headers;
    },
    decorate(origin, headers) {
      const allowed = allowedOrigin(origin);
      if (allowed === null) return;
      headers.set('access-control-allow-origin', allowed);
      if (config.allowCredentials) headers.set('access-control-allow-credentials', 'true');
      if (exposeHeaders !== '') headers.set('access-control-expose-headers', exposeHeaders);
    },
  };
}
