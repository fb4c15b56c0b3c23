/**
 * The per-request context: what AWS calls `$context`, plus one slot per stage of the chain
 * (method request -> integration request -> endpoint response -> method response).
 * Every field is assigned in the constructor so the object keeps one shape; a slot is null until
 * the stage that owns it has run.
 * AWS docs: "API Gateway mapping template and access logging variable reference" ($context).
 */
import { randomUUID } from 'node:crypto';
import type { HeaderList } from '../core/header-list.js';
import type { GatewayError } from '../core/errors.js';
import type { CompiledApi, CompiledRoute, CompiledStage } from './deployment.js';

/** The client's request as received (the "method request"). */
export interface MethodRequest {
  method: string;
  /** Path without the stage prefix and without the query, as sent (percent-encoding kept). */
  rawPath: string;
  /** Path without the stage prefix, percent-decoded: what proxy events call `path`. */
  path: string;
  /** Query string as sent, without '?'. */
  rawQuery: string;
  /** Decoded query parameters, every value of a repeated name in order. */
  query: Map<string, string[]>;
  headers: HeaderList;
  body: Buffer;
  sourceIp: string;
  /** 'HTTP/1.1' */
  protocol: string;
  /** Host header value ('127.0.0.1:3000'). */
  host: string;
}

/** What the integration request stage hands to the integration. */
export interface IntegrationRequest {
  /** Backend method ('ANY' resolved to the client's method). */
  method: string;
  /** Backend URI with `{param}` filled (HTTP); '' for MOCK. */
  uri: string;
  headers: HeaderList;
  /** Query parameters to send, in order. */
  query: Map<string, string[]>;
  /** Path parameters for `{name}` in the integration URI. */
  pathParameters: Record<string, string>;
  /** HTTP API `overwrite:path`: the whole path sent to the backend. */
  pathOverride: string | null;
  body: Buffer;
}

/** The backend's answer before integration response mapping (the "endpoint response"). */
export interface EndpointResponse {
  statusCode: number;
  headers: HeaderList;
  body: Buffer;
  /**
   * What `selectionPattern` is matched against: the status code for HTTP/MOCK/AWS, the Lambda
   * `errorMessage` for a Lambda custom integration ('' when the function succeeded).
   */
  selectionInput: string | undefined;
  /** True when the body is already the client's response (proxy integrations). */
  isProxyResponse: boolean;
}

/** The response that goes back to the client. */
export interface InvocationResponse {
  statusCode: number;
  headers: HeaderList;
  body: Buffer;
}

/** `$context.authorizer.*` / `$context.identity.*` as filled by the protect stage. */
export interface CallerIdentity {
  sourceIp: string;
  userAgent: string | null;
  apiKey: string | null;
  apiKeyId: string | null;
  accessKey: string | null;
  accountId: string | null;
  caller: string | null;
  user: string | null;
  userArn: string | null;
  cognitoIdentityId: string | null;
  cognitoIdentityPoolId: string | null;
  cognitoAuthenticationProvider: string | null;
  cognitoAuthenticationType: string | null;
  principalOrgId: string | null;
}

export interface RequestOverride {
  header: Record<string, string>;
  querystring: Record<string, string>;
  path: Record<string, string>;
}

export interface ResponseOverride {
  header: Record<string, string>;
  status: unknown;
}

export class RequestContext {
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly requestTimeEpoch: number;
  readonly request: MethodRequest;
  readonly api: CompiledApi;
  readonly stage: CompiledStage;
  /** The matched route (null until routed; a request with no route never gets past routing). */
  route: CompiledRoute | null;
  pathParameters: Record<string, string>;
  #identity: CallerIdentity | null;
  /** `$context.authorizer`: principalId, claims, context keys (REST) or lambda/jwt maps (HTTP API). */
  authorizer: Record<string, unknown> | null;
  /** Null until a template can see `$context` (only templates write overrides). */
  requestOverride: RequestOverride | null;
  responseOverride: ResponseOverride | null;
  integrationRequest: IntegrationRequest | null;
  endpointResponse: EndpointResponse | null;
  response: InvocationResponse | null;
  error: GatewayError | null;
  /** Integration latency in ms, for logs and `$context.integrationLatency`. */
  integrationLatency: number;
  #contextVariables: Record<string, unknown> | null;

  constructor(request: MethodRequest, api: CompiledApi, stage: CompiledStage) {
    this.requestId = randomUUID();
    const id = this.requestId;
    this.extendedRequestId = id.slice(0, 8) + id.slice(9, 13) + id.slice(14, 18);
    this.requestTimeEpoch = Date.now();
    this.request = request;
    this.api = api;
    this.stage = stage;
    this.route = null;
    this.pathParameters = {};
    this.#identity = null;
    this.authorizer = null;
    this.requestOverride = null;
    this.responseOverride = null;
    this.integrationRequest = null;
    this.endpointResponse = null;
    this.response = null;
    this.error = null;
    this.integrationLatency = 0;
    this.#contextVariables = null;
  }

  /** `$context.identity`: built on first use (most requests never read it); the protect stage fills it in. */
  get identity(): CallerIdentity {
    return (this.#identity ??= {
      sourceIp: this.request.sourceIp,
      userAgent: this.request.headers.get('user-agent') ?? null,
      apiKey: null,
      apiKeyId: null,
      accessKey: null,
      accountId: null,
      caller: null,
      user: null,
      userArn: null,
      cognitoIdentityId: null,
      cognitoIdentityPoolId: null,
      cognitoAuthenticationProvider: null,
      cognitoAuthenticationType: null,
      principalOrgId: null,
    });
  }

  /** X-Ray style trace header value API Gateway passes to integrations and returns to clients. */
  get traceId(): string {
    const id = this.requestId;
    return `Root=1-${Math.floor(this.requestTimeEpoch / 1000).toString(16)}-${id.slice(0, 8)}${id.slice(9, 13)}${id.slice(14, 18)}${id.slice(19, 23)}`;
  }

  /** `$context.requestTime` in AWS's CLF format: `25/Nov/2026:17:33:08 +0000`. */
  get requestTime(): string {
    return formatClfTime(this.requestTimeEpoch);
  }

  /** `$context.path`: the stage prefix plus the resource path as called (REST). */
  get contextPath(): string {
    return this.stage.isDefault ? this.request.rawPath : `/${this.stage.name}${this.request.rawPath}`;
  }

  get resourcePath(): string {
    return this.route?.resourcePath ?? '';
  }

  /**
   * The `$context` object handed to mapping templates. Built once per request on first use; the
   * override maps are shared so templates that `#set` them write into this context.
   */
  contextVariables(): Record<string, unknown> {
    if (this.#contextVariables !== null) return this.#contextVariables;
    const route = this.route;
    const error = this.error;
    const vars: Record<string, unknown> = {
      accountId: this.api.accountId,
      apiId: this.api.id,
      authorizer: this.authorizer ?? {},
      awsEndpointRequestId: this.requestId,
      domainName: hostWithoutPort(this.request.host),
      domainPrefix: hostWithoutPort(this.request.host).split('.')[0] ?? '',
      error: {
        message: error?.message ?? '',
        messageString: error === null ? '""' : JSON.stringify(error.message),
        responseType: error?.type ?? '',
        validationErrorString: error?.validationErrorString ?? '',
      },
      extendedRequestId: this.extendedRequestId,
      httpMethod: this.request.method,
      identity: nullsAsEmpty(this.identity),
      isCanaryRequest: false,
      path: this.contextPath,
      protocol: this.request.protocol,
      requestId: this.requestId,
      requestOverride: (this.requestOverride ??= { header: {}, querystring: {}, path: {} }),
      responseOverride: (this.responseOverride ??= { header: {}, status: undefined }),
      requestTime: this.requestTime,
      requestTimeEpoch: this.requestTimeEpoch,
      resourceId: route?.resourceId ?? '',
      resourcePath: this.resourcePath,
      routeKey: route?.routeKey ?? '',
      stage: this.stage.name,
      integrationLatency: this.integrationLatency,
    };
    this.#contextVariables = vars;
    return vars;
  }

  /** Drops the cached `$context` so a later template sees the error or authorizer set since. */
  invalidateContextVariables(): void {
    this.#contextVariables = null;
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export function formatClfTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(
    d.getUTCMinutes(),
  )}:${pad(d.getUTCSeconds())} +0000`;
}

/** AWS renders an unset `$context.identity.*` as an empty string, not as the reference text. */
function nullsAsEmpty(identity: CallerIdentity): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(identity)) out[key] = value ?? '';
  return out;
}

/** '127.0.0.1:3000' -> '127.0.0.1' ($context.domainName). */
export function hostWithoutPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

/** X-Forwarded-For as API Gateway hands it on: the client's own value, if any, with the caller's address appended. */
export function forwardedFor(request: MethodRequest): string {
  const forwarded = request.headers.getJoined('x-forwarded-for');
  return forwarded === undefined ? request.sourceIp : `${forwarded}, ${request.sourceIp}`;
}
