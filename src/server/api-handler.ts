/**
 * The API traffic entry point: turns a node:http request into a method request, finds the API,
 * stage and route, runs the route's chain, and writes the response — a gateway response for any
 * failure, never a stack trace.
 * AWS docs: "Gateway responses in API Gateway", "Quotas" (10 MB payload), "Configuring CORS for an HTTP API".
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { gzipSync } from 'node:zlib';
import { GatewayError } from '../core/errors.js';
import { HeaderList } from '../core/header-list.js';
import type { Logger } from '../core/log.js';
import { RequestContext, type InvocationResponse, type MethodRequest } from '../apigw/context.js';
import type { ApiTarget, Deployment } from '../apigw/deployment.js';
import { runStages } from '../apigw/pipeline.js';
import { safeDecode } from '../apigw/router/resource-tree.js';

/** Bodies up to this size go out in the same write as the headers. */
const SINGLE_WRITE_BYTES = 64 * 1024;

const EMPTY_BODY = Buffer.alloc(0);

/** API Gateway's payload quota for REST and HTTP APIs. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface ApiHandlerOptions {
  /** The current deployment; a getter so `--watch` can swap it between requests. Undefined while starting. */
  deployment: () => Deployment | undefined;
  log: Logger;
}

export function createApiHandler(options: ApiHandlerOptions) {
  const { log } = options;

  return function handle(req: IncomingMessage, res: ServerResponse): void {
    const deployment = options.deployment();
    if (deployment === undefined) {
      // The port listens before the definition is served (see gatehouse.ts): not ready yet.
      res.writeHead(503, { 'content-type': 'application/json' }).end('{"message":"Service Unavailable"}');
      return;
    }
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const fullRawPath = q === -1 ? url : url.slice(0, q);
    const rawQuery = q === -1 ? '' : url.slice(q + 1);
    // node:http builds req.headers on first use; the gateway reads its own list instead.
    const headers = HeaderList.fromRaw(req.rawHeaders);
    const host = headers.get('host') ?? '';
    const target = deployment.resolve(host, fullRawPath);
    if (target === null) {
      req.resume();
      writeNotFound(res, deployment.primaryProtocol);
      return;
    }
    readBody(req, headers, (body) => {
      if (body === null) {
        const ctx = newContext(req, headers, host, target, rawQuery, EMPTY_BODY);
        finish(ctx, res, ctx.api.gatewayResponses.render(ctx, new GatewayError('REQUEST_TOO_LARGE')), log);
        return;
      }
      const ctx = newContext(req, headers, host, target, rawQuery, body);
      let result: void | Promise<void>;
      try {
        result = route(ctx, target.stageNotFound);
      } catch (error) {
        finish(ctx, res, failure(ctx, error, log), log);
        return;
      }
      if (result === undefined) {
        finish(ctx, res, ctx.response!, log);
        return;
      }
      result.then(
        () => finish(ctx, res, ctx.response!, log),
        (error: unknown) => finish(ctx, res, failure(ctx, error, log), log),
      );
    });
  };
}

/** Routes the request and runs its chain; HTTP API CORS preflights are answered here. */
function route(ctx: RequestContext, stageNotFound: boolean): void | Promise<void> {
  const api = ctx.api;
  const request = ctx.request;
  if (stageNotFound) throw new GatewayError(api.protocol === 'HTTP' ? 'RESOURCE_NOT_FOUND' : 'MISSING_AUTHENTICATION_TOKEN');
  if (api.cors !== null && request.method === 'OPTIONS' && request.headers.has('origin') && request.headers.has('access-control-request-method')) {
    const headers = api.cors.preflight(request.headers.get('origin'), request.headers.get('access-control-request-headers')) ?? new HeaderList();
    ctx.response = { statusCode: 204, headers, body: EMPTY_BODY };
    return;
  }
  const match = api.routes.match(request.rawPath, request.method);
  if (match !== null) {
    ctx.route = match.route;
    ctx.pathParameters = match.pathParameters;
  } else if (api.defaultRoute !== null) {
    ctx.route = api.defaultRoute;
  } else if (api.protocol === 'HTTP') {
    throw new GatewayError('RESOURCE_NOT_FOUND');
  } else {
    throw new GatewayError('MISSING_AUTHENTICATION_TOKEN');
  }
  return runStages(ctx.route.stages, ctx);
}

function failure(ctx: RequestContext, error: unknown, log: Logger): InvocationResponse {
  if (error instanceof GatewayError) {
    if (error.status >= 500) log.warn(`${ctx.requestId} ${ctx.request.method} ${ctx.request.rawPath}: ${error.type}${causeText(error)}`);
    return ctx.api.gatewayResponses.render(ctx, error);
  }
  log.error(`${ctx.requestId} ${ctx.request.method} ${ctx.request.rawPath}: ${(error as Error)?.stack ?? String(error)}`);
  const internal = new GatewayError('DEFAULT_5XX', 'Internal server error', { cause: error });
  return ctx.api.gatewayResponses.render(ctx, internal);
}

function causeText(error: Error): string {
  return error.cause === undefined ? '' : ` (${(error.cause as Error).message ?? String(error.cause)})`;
}

function newContext(req: IncomingMessage, headers: HeaderList, host: string, target: ApiTarget, rawQuery: string, body: Buffer): RequestContext {
  const request: MethodRequest = {
    method: req.method ?? 'GET',
    rawPath: target.rawPath,
    path: safeDecode(target.rawPath),
    rawQuery,
    query: parseQuery(rawQuery),
    headers,
    body,
    sourceIp: normalizeIp(req.socket.remoteAddress ?? '127.0.0.1'),
    protocol: `HTTP/${req.httpVersion}`,
    host,
  };
  return new RequestContext(request, target.api, target.stage);
}

/** Decoded query parameters; a repeated name keeps every value in order. */
export function parseQuery(rawQuery: string): Map<string, string[]> {
  const query = new Map<string, string[]>();
  if (rawQuery === '') return query;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const name = safeDecode(eq === -1 ? part : part.slice(0, eq));
    const value = eq === -1 ? '' : safeDecode(part.slice(eq + 1));
    const values = query.get(name);
    if (values === undefined) query.set(name, [value]);
    else values.push(value);
  }
  return query;
}

function normalizeIp(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

/** Reads the whole body; null when it exceeds the payload quota. */
function readBody(req: IncomingMessage, headers: HeaderList, done: (body: Buffer | null) => void): void {
  const declared = Number(headers.get('content-length') ?? 0);
  if (declared > MAX_PAYLOAD_BYTES) {
    req.resume();
    done(null);
    return;
  }
  if (declared === 0 && !headers.has('transfer-encoding')) {
    req.resume();
    done(EMPTY_BODY);
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_PAYLOAD_BYTES) tooLarge = true;
    else chunks.push(chunk);
  });
  req.on('end', () => done(tooLarge ? null : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
  req.on('error', () => done(EMPTY_BODY));
}

/** Adds what API Gateway puts on every response, compresses when configured, and writes. */
function finish(ctx: RequestContext, res: ServerResponse, response: InvocationResponse, log: Logger): void {
  const headers = response.headers;
  const api = ctx.api;
  if (api.protocol === 'REST') {
    headers.set('x-amzn-RequestId', ctx.requestId);
    headers.set('x-amz-apigw-id', ctx.extendedRequestId);
    headers.set('X-Amzn-Trace-Id', ctx.traceId);
  } else {
    headers.set('Apigw-Requestid', ctx.extendedRequestId);
    api.cors?.decorate(ctx.request.headers.get('origin'), headers);
  }
  let body = response.body;
  const minimum = api.definition.minimumCompressionSize;
  if (
    minimum !== undefined &&
    body.length >= minimum &&
    !headers.has('content-encoding') &&
    /\bgzip\b/.test(ctx.request.headers.get('accept-encoding') ?? '')
  ) {
    body = gzipSync(body);
    headers.set('Content-Encoding', 'gzip');
  }
  // A HEAD answer keeps a Content-Length the method response mapped (the length GET would send, RFC 9110 9.3.2).
  if (ctx.request.method !== 'HEAD' || !headers.has('content-length')) headers.set('Content-Length', String(body.length));
  try {
    res.writeHead(response.statusCode, headers.toFlatArray());
    if (ctx.request.method === 'HEAD') res.end();
    // A latin1 string round-trips the bytes exactly and lets Node send head and body in one write.
    else if (body.length <= SINGLE_WRITE_BYTES) res.end(body.toString('latin1'), 'latin1');
    else res.end(body);
  } catch (error) {
    log.error(`${ctx.requestId}: could not write the response: ${(error as Error).message}`);
    res.destroy();
  }
  log.debug(`${ctx.requestId} ${ctx.request.method} ${ctx.request.rawPath} -> ${response.statusCode}`);
}

/** No API for this host and path: REST's Missing Authentication Token, or HTTP API's Not Found. */
function writeNotFound(res: ServerResponse, protocol: 'REST' | 'HTTP'): void {
  const error = new GatewayError(protocol === 'HTTP' ? 'RESOURCE_NOT_FOUND' : 'MISSING_AUTHENTICATION_TOKEN');
  const body = JSON.stringify({ message: error.message });
  const headers: Record<string, string> = { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) };
  if (protocol === 'REST') headers['x-amzn-ErrorType'] = error.errorType;
  res.writeHead(error.status, headers);
  res.end(body);
}
