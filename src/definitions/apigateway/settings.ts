/**
 * API-level settings shared by every format: authorizers, CORS, gateway responses, request validators and stage
 * method settings (API Gateway Developer Guide "x-amazon-apigateway-authorizer object", "x-amazon-apigateway-cors
 * object", "Gateway response types", and CloudFormation `AWS::ApiGateway::Stage MethodSetting`).
 */
import type { ApiProtocol, AuthorizerDefinition, CorsConfiguration, GatewayResponseOverride, MethodSetting, RequestValidator, Stage } from '../model.js';
import { escapeToken, type Problems } from '../errors.js';
import { Fields } from '../values.js';

/** Property names of one authorizer spelling. */
export interface AuthorizerKeys {
  type: string;
  authorizerUri: string;
  authorizerCredentials: string;
  identitySource: string;
  identityValidationExpression: string;
  authorizerResultTtlInSeconds: string;
  providerARNs: string;
  jwtConfiguration: string;
  issuer: string;
  audience: string;
  authorizerPayloadFormatVersion: string;
  enableSimpleResponses: string;
}

export const OPENAPI_AUTHORIZER_KEYS: AuthorizerKeys = {
  type: 'type', authorizerUri: 'authorizerUri', authorizerCredentials: 'authorizerCredentials',
  identitySource: 'identitySource', identityValidationExpression: 'identityValidationExpression',
  authorizerResultTtlInSeconds: 'authorizerResultTtlInSeconds', providerARNs: 'providerARNs',
  jwtConfiguration: 'jwtConfiguration', issuer: 'issuer', audience: 'audience',
  authorizerPayloadFormatVersion: 'authorizerPayloadFormatVersion', enableSimpleResponses: 'enableSimpleResponses',
};

/** `AWS::ApiGateway::Authorizer`. */
export const CFN_REST_AUTHORIZER_KEYS: AuthorizerKeys = {
  type: 'Type', authorizerUri: 'AuthorizerUri', authorizerCredentials: 'AuthorizerCredentials',
  identitySource: 'IdentitySource', identityValidationExpression: 'IdentityValidationExpression',
  authorizerResultTtlInSeconds: 'AuthorizerResultTtlInSeconds', providerARNs: 'ProviderARNs',
  jwtConfiguration: 'JwtConfiguration', issuer: 'Issuer', audience: 'Audience',
  authorizerPayloadFormatVersion: 'AuthorizerPayloadFormatVersion', enableSimpleResponses: 'EnableSimpleResponses',
};

/** `AWS::ApiGatewayV2::Authorizer`. */
export const CFN_HTTP_AUTHORIZER_KEYS: AuthorizerKeys = {
  ...CFN_REST_AUTHORIZER_KEYS, type: 'AuthorizerType', authorizerCredentials: 'AuthorizerCredentialsArn',
};

const AUTHORIZER_TYPES = { REST: ['token', 'request', 'cognito_user_pools'], HTTP: ['jwt', 'request'] } as const;

/**
 * Normalizes one authorizer. `headerName` is the security scheme's `name` (`in: header`), which API Gateway uses
 * as the identity source of TOKEN and Cognito authorizers that do not spell one.
 */
export function buildAuthorizer(
  name: string,
  f: Fields,
  keys: AuthorizerKeys,
  protocol: ApiProtocol,
  headerName?: string,
): AuthorizerDefinition | undefined {
  const rest = protocol === 'REST';
  const written = f.str(keys.type, true)?.toLowerCase();
  const allowed: readonly string[] = AUTHORIZER_TYPES[protocol];
  if (written !== undefined && !allowed.includes(written)) {
    f.problems.add(f.at(keys.type), `authorizer type must be one of ${allowed.join(', ')} for ${protocol} APIs, found ${JSON.stringify(written)}`);
  }
  const type = written && allowed.includes(written) ? written : undefined;
  const lambda = type === 'token' || type === 'request';
  const authorizerUri = f.str(keys.authorizerUri);
  if (lambda && !authorizerUri) f.missing(keys.authorizerUri, `${keys.authorizerUri} is required for a ${type} authorizer`);

  // REST spells identity sources as one comma-separated string; HTTP APIs as a list (exports: a string too).
  const identityRaw = f.raw(keys.identitySource);
  let identitySource = (typeof identityRaw === 'string' ? identityRaw.split(',') : f.strList(keys.identitySource))
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (identitySource.length === 0 && (type === 'token' || type === 'cognito_user_pools')) {
    identitySource = [`method.request.header.${headerName ?? 'Authorization'}`];
  }
  if (identitySource.length === 0 && type === 'jwt') identitySource = ['$request.header.Authorization'];

  const providerArns = f.strList(keys.providerARNs, true);
  if (type === 'cognito_user_pools' && providerArns.length === 0) f.missing(keys.providerARNs, `${keys.providerARNs} is required for a cognito_user_pools authorizer`);

  let jwtConfiguration: AuthorizerDefinition['jwtConfiguration'];
  if (type === 'jwt') {
    const jwt = f.fields(keys.jwtConfiguration);
    if (!jwt) f.missing(keys.jwtConfiguration, `${keys.jwtConfiguration} is required for a jwt authorizer`);
    const issuer = jwt?.str(keys.issuer, true);
    if (issuer !== undefined) jwtConfiguration = { issuer, audience: jwt!.strList(keys.audience, true) };
  }

  const payload = f.str(keys.authorizerPayloadFormatVersion);
  if (payload !== undefined && payload !== '1.0' && payload !== '2.0') {
    f.problems.add(f.at(keys.authorizerPayloadFormatVersion), `must be '1.0' or '2.0', found ${JSON.stringify(payload)}`);
  }
  if (!rest && type === 'request' && payload === undefined) {
    f.missing(keys.authorizerPayloadFormatVersion, `${keys.authorizerPayloadFormatVersion} is required for HTTP API Lambda authorizers`);
  }
  const authorizerCredentials = f.str(keys.authorizerCredentials);
  const identityValidationExpression = f.str(keys.identityValidationExpression);
  // REST: "If this field is not set, the default value is 300" (Authorizer API reference); HTTP APIs cache only when asked.
  const resultTtlInSeconds = f.int(keys.authorizerResultTtlInSeconds, 0, 3600) ?? (rest ? 300 : 0);
  if (!type) return undefined;
  return {
    name,
    type,
    raw: f.obj,
    source: f.loc,
    ...(authorizerUri && { authorizerUri }),
    ...(authorizerCredentials && { authorizerCredentials }),
    identitySource,
    ...(identityValidationExpression && { identityValidationExpression }),
    resultTtlInSeconds,
    providerArns,
    ...(jwtConfiguration && { jwtConfiguration }),
    ...((payload === '1.0' || payload === '2.0') && { payloadFormatVersion: payload }),
    enableSimpleResponses: f.bool(keys.enableSimpleResponses) ?? false,
  };
}

const capitalize = (key: string): string => key[0]!.toUpperCase() + key.slice(1);

/** `x-amazon-apigateway-cors` (camelCase) or CloudFormation / SAM `CorsConfiguration` (PascalCase). */
export function buildCors(f: Fields, pascal: boolean): CorsConfiguration {
  const k = (key: string): string => (pascal ? capitalize(key) : key);
  const maxAge = f.int(k('maxAge'), -1, 86400);
  return {
    allowOrigins: f.strList(k('allowOrigins'), true),
    allowMethods: f.strList(k('allowMethods'), true),
    allowHeaders: f.strList(k('allowHeaders'), true),
    exposeHeaders: f.strList(k('exposeHeaders'), true),
    ...(maxAge !== undefined && { maxAge }),
    allowCredentials: f.bool(k('allowCredentials')) ?? false,
  };
}

/** Gateway response types (API Gateway Developer Guide "Gateway response types for API Gateway"). */
export const GATEWAY_RESPONSE_TYPES: readonly string[] = [
  'ACCESS_DENIED', 'API_CONFIGURATION_ERROR', 'AUTHORIZER_CONFIGURATION_ERROR', 'AUTHORIZER_FAILURE',
  'BAD_REQUEST_PARAMETERS', 'BAD_REQUEST_BODY', 'DEFAULT_4XX', 'DEFAULT_5XX', 'EXPIRED_TOKEN', 'INTEGRATION_FAILURE',
  'INTEGRATION_TIMEOUT', 'INVALID_API_KEY', 'INVALID_SIGNATURE', 'MISSING_AUTHENTICATION_TOKEN', 'QUOTA_EXCEEDED',
  'REQUEST_TOO_LARGE', 'RESOURCE_NOT_FOUND', 'THROTTLED', 'UNAUTHORIZED', 'UNSUPPORTED_MEDIA_TYPE', 'WAF_FILTERED',
];

export function checkGatewayResponseType(type: string, f: Fields, key?: string): boolean {
  if (GATEWAY_RESPONSE_TYPES.includes(type)) return true;
  f.problems.add(key ? f.at(key) : f.loc, `unknown gateway response type ${JSON.stringify(type)}`);
  return false;
}

/** One gateway response override; `pascal` for CloudFormation's `AWS::ApiGateway::GatewayResponse`. */
export function buildGatewayResponse(f: Fields, pascal: boolean): GatewayResponseOverride {
  const k = (key: string): string => (pascal ? capitalize(key) : key);
  const statusCode = f.str(k('statusCode'));
  if (statusCode !== undefined && !/^[1-5]\d\d$/.test(statusCode)) f.problems.add(f.at(k('statusCode')), `invalid status code ${JSON.stringify(statusCode)}`);
  const responseParameters = f.strMap(k('responseParameters'));
  for (const target of Object.keys(responseParameters)) {
    if (!/^gatewayresponse\.(header|path|querystring)\.[^.]+$/.test(target)) {
      f.problems.add(f.at(k('responseParameters'), target), `invalid mapping target ${JSON.stringify(target)}: expected gatewayresponse.header.<name>`);
    }
  }
  return { ...(statusCode && { statusCode }), responseParameters, responseTemplates: f.strMap(k('responseTemplates')) };
}

/** `x-amazon-apigateway-request-validators` entry or `AWS::ApiGateway::RequestValidator` properties. */
export function buildValidator(f: Fields, pascal: boolean): RequestValidator {
  const k = (key: string): string => (pascal ? capitalize(key) : key);
  return {
    validateRequestBody: f.bool(k('validateRequestBody')) ?? false,
    validateRequestParameters: f.bool(k('validateRequestParameters')) ?? false,
  };
}

const UNAUTHORIZED_STRATEGIES = ['FAIL_WITH_403', 'SUCCEED_WITH_RESPONSE_HEADER', 'SUCCEED_WITHOUT_RESPONSE_HEADER'] as const;

/** `CacheClusterEnabled` / `CacheClusterSize` of a SAM Api, a CloudFormation Stage or a Deployment's StageDescription. */
export function applyCacheCluster(stage: Stage, f: Fields): void {
  const enabled = f.bool('CacheClusterEnabled');
  if (enabled !== undefined) stage.cacheClusterEnabled = enabled;
  const size = f.oneOf('CacheClusterSize', CACHE_CLUSTER_SIZES);
  if (size !== undefined) stage.cacheClusterSize = size;
}

/** API Gateway's cache capacities in GB (CreateStage cacheClusterSize). */
const CACHE_CLUSTER_SIZES = ['0.5', '1.6', '6.1', '13.5', '28.4', '58.2', '118', '237'] as const;

function methodSetting(f: Fields, keys: { detailedMetrics: string }): MethodSetting {
  const out: MethodSetting = {};
  const set = <K extends keyof MethodSetting>(key: K, value: MethodSetting[K] | undefined): void => {
    if (value !== undefined) out[key] = value;
  };
  set('throttlingBurstLimit', f.int('ThrottlingBurstLimit', 0));
  set('throttlingRateLimit', f.num('ThrottlingRateLimit'));
  set('cachingEnabled', f.bool('CachingEnabled'));
  set('cacheTtlInSeconds', f.int('CacheTtlInSeconds', 0, 3600));
  set('cacheDataEncrypted', f.bool('CacheDataEncrypted'));
  // Not CloudFormation properties (the stage API's caching/requireAuthorizationForCacheControl and
  // caching/unauthorizedCacheControlHeaderStrategy), accepted in the same spelling so a template can set them.
  set('requireAuthorizationForCacheControl', f.bool('RequireAuthorizationForCacheControl'));
  set('unauthorizedCacheControlHeaderStrategy', f.oneOf('UnauthorizedCacheControlHeaderStrategy', UNAUTHORIZED_STRATEGIES));
  set('dataTraceEnabled', f.bool('DataTraceEnabled'));
  set('loggingLevel', f.str('LoggingLevel'));
  set('metricsEnabled', f.bool(keys.detailedMetrics));
  return out;
}

/**
 * CloudFormation / SAM `MethodSettings` list -> map keyed like API Gateway's stage `methodSettings`:
 * `*\/*`, or the resource path with every `/` written `~1`, then `/METHOD` (`~1pets~1{id}/GET`, root `~1/GET`),
 * the spelling of the stage's PATCH paths (API Gateway API reference "UpdateStage").
 */
export function restMethodSettings(list: unknown[], f: Fields, key: string): Record<string, MethodSetting> {
  const out: Record<string, MethodSetting> = {};
  list.forEach((item, i) => {
    const s = Fields.of(item, f.at(key, i), f.problems);
    if (!s) return;
    const method = (s.str('HttpMethod') ?? '*').toUpperCase();
    const path = s.str('ResourcePath') ?? '/*';
    out[`${settingsPath(path)}/${method}`] = methodSetting(s, { detailedMetrics: 'MetricsEnabled' });
  });
  return out;
}

/** CloudFormation writes `/` + the escaped path (`/~1pets`, root `/`, all `/*`); `/pets` is accepted too. */
function settingsPath(resourcePath: string): string {
  if (resourcePath === '/*' || resourcePath === '*') return '*';
  if (resourcePath === '/') return '~1';
  if (resourcePath.startsWith('/~1')) return resourcePath.slice(1);
  return escapeToken(resourcePath.startsWith('/') ? resourcePath : `/${resourcePath}`);
}

/** HTTP API `DefaultRouteSettings` + `RouteSettings` (keyed by route key) -> the same map. */
export function httpRouteSettings(f: Fields, problems: Problems): Record<string, MethodSetting> {
  const out: Record<string, MethodSetting> = {};
  const defaults = f.fields('DefaultRouteSettings');
  if (defaults) out['*/*'] = methodSetting(defaults, { detailedMetrics: 'DetailedMetricsEnabled' });
  const routes = f.record('RouteSettings');
  for (const [routeKey, value] of Object.entries(routes ?? {})) {
    const s = Fields.of(value, f.at('RouteSettings', routeKey), problems);
    if (!s) continue;
    const [method, path] = routeKey === '$default' ? ['ANY', '$default'] : routeKey.split(' ');
    out[`${path === '$default' ? '$default' : settingsPath(path ?? '/')}/${method}`] = methodSetting(s, { detailedMetrics: 'DetailedMetricsEnabled' });
  }
  return out;
}
