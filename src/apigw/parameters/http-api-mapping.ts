/**
 * HTTP API parameter mapping: `overwrite:` / `append:` / `remove:` on header, querystring and
 * path, with values built from `$request.*`, `$context.*`, `$stageVariables.*` and static text.
 * Keys without a modifier (SQS-SendMessage's `QueueUrl`, ...) belong to AWS service integrations.
 * AWS docs: "Transform API requests and responses for HTTP APIs in API Gateway".
 */
import type { IntegrationRequest, RequestContext } from '../context.js';
import { evaluateJsonPath } from '../mapping/jsonpath.js';

type ValueReader = (ctx: RequestContext) => string;
type Apply = (ctx: RequestContext, request: IntegrationRequest) => void;

const TOKEN = /\$\{?(request\.(?:header|querystring|path|multivalueheader|multivaluequerystring)\.[A-Za-z0-9_.\-]+|request\.path|request\.body(?:\.[A-Za-z0-9_.\[\]\-]+)?|context\.[A-Za-z0-9_.]+|stageVariables\.[A-Za-z0-9_]+)\}?/g;

/** Compiles `$request.header.x-y and $context.requestId` into a reader; literal text stays. */
export function compileHttpApiValue(expression: string): ValueReader {
  const parts: (string | ValueReader)[] = [];
  let last = 0;
  for (const match of expression.matchAll(TOKEN)) {
    if (match.index! > last) parts.push(expression.slice(last, match.index));
    parts.push(tokenReader(match[1]!));
    last = match.index! + match[0].length;
  }
  if (last < expression.length) parts.push(expression.slice(last));
  if (parts.length === 1 && typeof parts[0] === 'string') {
    const literal = parts[0];
    return () => literal;
  }
  return (ctx) => {
    let out = '';
    for (const part of parts) out += typeof part === 'string' ? part : part(ctx);
    return out;
  };
}

function tokenReader(token: string): ValueReader {
  const [root, kind, ...rest] = token.split('.');
  const name = rest.join('.');
  if (root === 'request') {
    switch (kind) {
      case 'header':
        return (ctx) => ctx.request.headers.getJoined(name) ?? '';
      case 'multivalueheader':
        return (ctx) => ctx.request.headers.getAll(name)?.join(',') ?? '';
      case 'querystring':
        return (ctx) => ctx.request.query.get(name)?.join(',') ?? '';
      case 'multivaluequerystring':
        return (ctx) => ctx.request.query.get(name)?.join(',') ?? '';
      case 'path':
        return name === '' ? (ctx) => ctx.request.rawPath : (ctx) => ctx.pathParameters[name] ?? '';
      case 'body': {
        // The whole body is passed byte for byte; a JSONPath into it is re-serialised.
        if (name === '') return (ctx) => ctx.request.body.toString('utf8');
        const path = '$.' + name;
        return (ctx) => {
          let document: unknown;
          try {
            document = JSON.parse(ctx.request.body.toString('utf8'));
          } catch {
            return '';
          }
          const value = evaluateJsonPath(document, path);
          if (value === undefined || value === null) return '';
          return typeof value === 'string' ? value : JSON.stringify(value);
        };
      }
    }
  }
  if (root === 'stageVariables') return (ctx) => ctx.stage.variables[kind!] ?? '';
  const keys = [kind!, ...rest];
  return (ctx) => {
    let value: unknown = ctx.contextVariables();
    for (const key of keys) value = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return value === undefined || value === null ? '' : String(value);
  };
}

export function compileHttpApiMapping(parameters: Record<string, string>): Apply {
  const steps: Apply[] = [];
  for (const [key, expression] of Object.entries(parameters)) {
    const match = /^(overwrite|append|remove):(header|querystring|path)(?:\.(.+))?$/.exec(key);
    if (match === null) {
      if (key.includes(':')) throw new Error(`requestParameters: ${key} is not {overwrite|append|remove}:{header|querystring|path}[.NAME]`);
      continue;
    }
    const [, action, location, name] = match as unknown as [string, string, string, string | undefined];
    const read = compileHttpApiValue(expression);
    steps.push(mappingStep(action, location, name, read));
  }
  return (ctx, request) => {
    for (const step of steps) step(ctx, request);
  };
}

function mappingStep(action: string, location: string, name: string | undefined, read: ValueReader): Apply {
  if (location === 'path') {
    // `overwrite:path` replaces the whole request path sent to the backend.
    return (ctx, request) => {
      request.pathOverride = read(ctx);
    };
  }
  if (name === undefined) throw new Error(`requestParameters: ${action}:${location} needs a name`);
  if (location === 'header') {
    if (action === 'remove') return (_ctx, request) => request.headers.delete(name);
    if (action === 'append') return (ctx, request) => request.headers.append(name, read(ctx));
    return (ctx, request) => request.headers.set(name, read(ctx));
  }
  if (action === 'remove') return (_ctx, request) => void request.query.delete(name);
  if (action === 'append') {
    return (ctx, request) => {
      const values = request.query.get(name) ?? [];
      values.push(read(ctx));
      request.query.set(name, values);
    };
  }
  return (ctx, request) => void request.query.set(name, [read(ctx)]);
}
