/**
 * REST API parameter mapping sources, compiled once per route: the right-hand side of
 * `requestParameters` / `responseParameters` / gateway response `responseParameters`.
 * AWS docs: "Amazon API Gateway API request and response data mapping reference":
 *   method.request.{path|querystring|multivaluequerystring|header|multivalueheader}.NAME,
 *   method.request.body[.JSONPath], integration.response.{header|multivalueheader}.NAME,
 *   integration.response.body[.JSONPath], stageVariables.NAME, context.NAME, 'STATIC'.
 */
import type { RequestContext } from '../context.js';
import { evaluateJsonPath } from '../mapping/jsonpath.js';

/** A source's value: one string, several (multivalue sources), or nothing. */
export type SourceValue = string | string[] | undefined;
export type SourceReader = (ctx: RequestContext) => SourceValue;

export class MappingExpressionError extends Error {}

export function compileSource(expression: string): SourceReader {
  const expr = expression.trim();
  if (expr.length >= 2 && expr.startsWith("'") && expr.endsWith("'")) {
    const literal = expr.slice(1, -1);
    return () => literal;
  }
  const dot = (prefix: string) => (expr.startsWith(prefix) ? expr.slice(prefix.length) : null);
  let name: string | null;
  if ((name = dot('method.request.path.')) !== null) {
    const key = name;
    return (ctx) => ctx.pathParameters[key];
  }
  if ((name = dot('method.request.querystring.')) !== null) {
    const key = name;
    return (ctx) => last(ctx.request.query.get(key));
  }
  if ((name = dot('method.request.multivaluequerystring.')) !== null) {
    const key = name;
    return (ctx) => ctx.request.query.get(key);
  }
  if ((name = dot('method.request.header.')) !== null) {
    const key = name;
    return (ctx) => ctx.request.headers.get(key);
  }
  if ((name = dot('method.request.multivalueheader.')) !== null) {
    const key = name;
    return (ctx) => ctx.request.headers.getAll(key);
  }
  if (expr === 'method.request.body') return (ctx) => ctx.request.body.toString('utf8');
  if ((name = dot('method.request.body.')) !== null) {
    const path = '$.' + name;
    return (ctx) => jsonPathString(ctx.request.body, path);
  }
  if ((name = dot('integration.response.header.')) !== null) {
    const key = name;
    return (ctx) => ctx.endpointResponse?.headers.get(key);
  }
  if ((name = dot('integration.response.multivalueheader.')) !== null) {
    const key = name;
    return (ctx) => ctx.endpointResponse?.headers.getAll(key);
  }
  if (expr === 'integration.response.body') return (ctx) => ctx.endpointResponse?.body.toString('utf8');
  if ((name = dot('integration.response.body.')) !== null) {
    const path = '$.' + name;
    return (ctx) => (ctx.endpointResponse === null ? undefined : jsonPathString(ctx.endpointResponse.body, path, ctx.endpointResponse.headers.has('x-amz-function-error')));
  }
  if ((name = dot('stageVariables.')) !== null) {
    const key = name;
    return (ctx) => ctx.stage.variables[key];
  }
  if ((name = dot('context.')) !== null) {
    const keys = name.split('.');
    return (ctx) => {
      let value: unknown = ctx.contextVariables();
      for (const key of keys) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
      return value === undefined || value === null ? undefined : String(value);
    };
  }
  throw new MappingExpressionError(`unsupported mapping expression ${JSON.stringify(expression)}`);
}

function last(values: string[] | undefined): string | undefined {
  return values === undefined ? undefined : values[values.length - 1];
}

/**
 * A JSONPath result as a mapped value: strings as they are, anything else as JSON. `lambdaError`:
 * the body is a Lambda custom integration's error (X-Amz-Function-Error).
 */
function jsonPathString(body: Buffer, path: string, lambdaError = false): string | undefined {
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (lambdaError) document = withParsedErrorMessage(document);
  const value = evaluateJsonPath(document, path);
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/**
 * A Lambda custom error whose errorMessage is a JSON string (a custom error object) is read as that
 * object by body-to-header mappings, so `integration.response.body.errorMessage.httpStatus` works
 * (AWS docs "Handle Lambda errors in API Gateway", custom Lambda errors).
 */
function withParsedErrorMessage(document: unknown): unknown {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return document;
  const message = (document as Record<string, unknown>)['errorMessage'];
  if (typeof message !== 'string') return document;
  try {
    const parsed: unknown = JSON.parse(message);
    return parsed !== null && typeof parsed === 'object' ? { ...document, errorMessage: parsed } : document;
  } catch {
    return document;
  }
}
