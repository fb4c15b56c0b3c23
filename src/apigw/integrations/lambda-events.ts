/**
 * The events API Gateway sends to a Lambda proxy integration: payload format 1.0 (REST APIs, and
 * HTTP APIs that ask for it) and 2.0 (HTTP APIs).
 * AWS docs: "Set up Lambda proxy integrations in API Gateway" (input format) and "Create AWS
 * Lambda proxy integrations for HTTP APIs" (payload format versions).
 */
import { forwardedFor, hostWithoutPort, type RequestContext } from '../context.js';
import { baseMediaType } from '../request/media-types.js';

/**
 * Request headers a REST API never hands on (not even to proxies): connection-level and
 * response-only names. Recorded against AWS by LocalStack's validated tests (header_utils.py,
 * DROPPED_FROM_REQUEST_COMMON); the input format example of "Set up Lambda proxy integrations"
 * shows no Connection or Content-Length either.
 */
const REST_DROPPED_REQUEST_HEADERS = new Set([
  'connection',
  'content-length',
  'content-md5',
  'expect',
  'max-forwards',
  'proxy-authenticate',
  'server',
  'te',
  'transfer-encoding',
  'trailer',
  'upgrade',
  'www-authenticate',
]);

/** The headers `forwardedHeaders` sets, in place of the client's own. */
const FORWARDED = new Set(['x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto', 'x-amzn-trace-id']);

/** Names REST proxy events spell in their canonical case whatever the client sent (as CloudFront forwards them). */
const REST_CANONICAL_NAMES: Record<string, string> = { authorization: 'Authorization', 'user-agent': 'User-Agent' };

/** Payload format 1.0. */
export function buildV1Event(ctx: RequestContext): Record<string, unknown> {
  const request = ctx.request;
  const isRest = ctx.api.protocol === 'REST';
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  let headerCount = 0;
  for (const [name, values] of request.headers.entries()) {
    const lower = name.toLowerCase();
    if (isRest && (REST_DROPPED_REQUEST_HEADERS.has(lower) || FORWARDED.has(lower))) continue;
    // API Gateway delivers the authorization header as "Authorization" whatever the client's case.
    const key = isRest ? (REST_CANONICAL_NAMES[lower] ?? name) : lower === 'authorization' ? 'Authorization' : name;
    headers[key] = values[values.length - 1]!;
    multiValueHeaders[key] = values.slice();
    headerCount++;
  }
  if (isRest) {
    for (const [key, value] of forwardedHeaders(ctx, ['X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto', 'X-Amzn-Trace-Id'])) {
      headers[key] = value;
      multiValueHeaders[key] = [value];
      headerCount++;
    }
  }
  let queryStringParameters: Record<string, string> | null = null;
  let multiValueQueryStringParameters: Record<string, string[]> | null = null;
  if (request.query.size > 0) {
    queryStringParameters = {};
    multiValueQueryStringParameters = {};
    for (const [name, values] of request.query) {
      queryStringParameters[name] = values[values.length - 1]!;
      multiValueQueryStringParameters[name] = values.slice();
    }
  }
  const { body, isBase64Encoded } = eventBody(ctx, ctx.api.protocol === 'REST' ? restBinary(ctx) : httpApiBinary(ctx));
  const variables = ctx.stage.variables;
  const event: Record<string, unknown> = {
    ...(isRest ? {} : { version: '1.0' }),
    resource: ctx.resourcePath,
    path: request.path,
    httpMethod: request.method,
    headers: headerCount === 0 ? null : headers,
    multiValueHeaders: headerCount === 0 ? null : multiValueHeaders,
    queryStringParameters,
    multiValueQueryStringParameters,
    pathParameters: Object.keys(ctx.pathParameters).length === 0 ? null : { ...ctx.pathParameters },
    stageVariables: Object.keys(variables).length === 0 ? null : { ...variables },
    requestContext: {
      accountId: ctx.api.accountId,
      apiId: ctx.api.id,
      ...(ctx.authorizer === null ? {} : { authorizer: ctx.authorizer }),
      domainName: domainName(ctx),
      domainPrefix: domainName(ctx).split('.')[0],
      extendedRequestId: ctx.extendedRequestId,
      httpMethod: request.method,
      identity: { ...ctx.identity },
      path: ctx.contextPath,
      protocol: request.protocol,
      requestId: ctx.requestId,
      requestTime: ctx.requestTime,
      requestTimeEpoch: ctx.requestTimeEpoch,
      resourceId: ctx.route?.resourceId ?? '',
      resourcePath: ctx.resourcePath,
      stage: ctx.stage.name,
      ...(isRest ? {} : { routeKey: ctx.route?.routeKey }),
    },
    body,
    isBase64Encoded,
  };
  return event;
}

/** Payload format 2.0 (HTTP APIs). */
export function buildV2Event(ctx: RequestContext): Record<string, unknown> {
  const request = ctx.request;
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, values] of request.headers.entries()) {
    const lower = name.toLowerCase();
    if (lower === 'cookie') {
      cookies = values.flatMap((v) => v.split(';').map((c) => c.trim()).filter((c) => c !== ''));
      continue;
    }
    headers[lower] = headers[lower] === undefined ? values.join(',') : `${headers[lower]},${values.join(',')}`;
  }
  for (const [key, value] of forwardedHeaders(ctx, ['x-forwarded-for', 'x-forwarded-port', 'x-forwarded-proto', 'x-amzn-trace-id'])) headers[key] = value;
  let queryStringParameters: Record<string, string> | undefined;
  if (request.query.size > 0) {
    queryStringParameters = {};
    for (const [name, values] of request.query) queryStringParameters[name] = values.join(',');
  }
  const { body, isBase64Encoded } = eventBody(ctx, httpApiBinary(ctx));
  const variables = ctx.stage.variables;
  const event: Record<string, unknown> = {
    version: '2.0',
    routeKey: ctx.route?.routeKey ?? '$default',
    rawPath: request.rawPath,
    rawQueryString: request.rawQuery,
    ...(cookies === undefined ? {} : { cookies }),
    headers,
    ...(queryStringParameters === undefined ? {} : { queryStringParameters }),
    ...(Object.keys(ctx.pathParameters).length === 0 ? {} : { pathParameters: { ...ctx.pathParameters } }),
    ...(Object.keys(variables).length === 0 ? {} : { stageVariables: { ...variables } }),
    requestContext: {
      accountId: ctx.api.accountId,
      apiId: ctx.api.id,
      ...(ctx.authorizer === null ? {} : { authorizer: ctx.authorizer }),
      domainName: domainName(ctx),
      domainPrefix: domainName(ctx).split('.')[0],
      http: {
        method: request.method,
        path: request.path,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: request.headers.get('user-agent') ?? '',
      },
      requestId: ctx.extendedRequestId,
      routeKey: ctx.route?.routeKey ?? '$default',
      stage: ctx.stage.name,
      time: ctx.requestTime,
      timeEpoch: ctx.requestTimeEpoch,
    },
    ...(body === null ? {} : { body }),
    isBase64Encoded,
  };
  return event;
}

/**
 * What API Gateway's front end adds to the request a function sees: the client address appended to
 * X-Forwarded-For, the port and scheme it was called on, and the trace id (AWS docs "Set up Lambda
 * proxy integrations", input format example: X-Forwarded-For, X-Forwarded-Port, X-Forwarded-Proto,
 * X-Amzn-Trace-Id). `names` gives them in the event's spelling, in that order.
 */
function forwardedHeaders(ctx: RequestContext, names: readonly [string, string, string, string]): [string, string][] {
  const request = ctx.request;
  const port = /:(\d+)$/.exec(request.host)?.[1] ?? '80';
  return [
    [names[0], forwardedFor(request)],
    [names[1], port],
    [names[2], 'http'],
    [names[3], request.headers.get('x-amzn-trace-id') ?? ctx.traceId],
  ];
}

function eventBody(ctx: RequestContext, binary: boolean): { body: string | null; isBase64Encoded: boolean } {
  const raw = ctx.request.body;
  if (raw.length === 0) return { body: null, isBase64Encoded: false };
  return binary ? { body: raw.toString('base64'), isBase64Encoded: true } : { body: raw.toString('utf8'), isBase64Encoded: false };
}

/** REST: a payload is binary when its Content-Type is one of the API's binary media types. */
function restBinary(ctx: RequestContext): boolean {
  return ctx.api.isBinaryMediaType(ctx.request.headers.get('content-type'));
}

/** HTTP APIs send text media types as text and base64-encode everything else. */
function httpApiBinary(ctx: RequestContext): boolean {
  const type = baseMediaType(ctx.request.headers.get('content-type'));
  if (type === undefined) return false;
  return !(
    type.startsWith('text/') ||
    type === 'application/json' ||
    type.endsWith('+json') ||
    type === 'application/xml' ||
    type.endsWith('+xml') ||
    type === 'application/javascript' ||
    type === 'application/x-www-form-urlencoded' ||
    type === 'application/graphql'
  );
}

function domainName(ctx: RequestContext): string {
  return hostWithoutPort(ctx.request.host);
}
