/**
 * Builds and validates an integration from any of its spellings (`x-amazon-apigateway-integration`,
 * `AWS::ApiGateway::Method.Integration`, `AWS::ApiGatewayV2::Integration`), following the API Gateway Developer
 * Guide "x-amazon-apigateway-integration object" and the API reference for PutIntegration / CreateIntegration.
 */
import type { ApiProtocol, ContentHandling, Integration, IntegrationResponse, IntegrationType, MethodResponse, PassthroughBehavior, Route } from '../model.js';
import type { Loc, Problems } from '../errors.js';
import { Fields } from '../values.js';

/** Property names of one spelling; the builder reads through them so problems name the written key. */
export interface IntegrationKeys {
  type: string;
  uri: string;
  httpMethod: string;
  connectionType: string;
  connectionId: string;
  credentials: string;
  requestParameters: string;
  requestTemplates: string;
  passthroughBehavior: string;
  contentHandling: string;
  timeoutInMillis: string;
  cacheKeyParameters: string;
  cacheNamespace: string;
  integrationSubtype: string;
  payloadFormatVersion: string;
  responseParameters: string;
  tlsConfig: string;
}

export interface ResponseKeys {
  statusCode: string;
  responseParameters: string;
  responseTemplates: string;
  contentHandling: string;
}

export const OPENAPI_INTEGRATION_KEYS: IntegrationKeys = {
  type: 'type', uri: 'uri', httpMethod: 'httpMethod', connectionType: 'connectionType', connectionId: 'connectionId',
  credentials: 'credentials', requestParameters: 'requestParameters', requestTemplates: 'requestTemplates',
  passthroughBehavior: 'passthroughBehavior', contentHandling: 'contentHandling', timeoutInMillis: 'timeoutInMillis',
  cacheKeyParameters: 'cacheKeyParameters', cacheNamespace: 'cacheNamespace', integrationSubtype: 'integrationSubtype',
  payloadFormatVersion: 'payloadFormatVersion', responseParameters: 'responseParameters', tlsConfig: 'tlsConfig',
};

export const OPENAPI_RESPONSE_KEYS: ResponseKeys = {
  statusCode: 'statusCode', responseParameters: 'responseParameters', responseTemplates: 'responseTemplates',
  contentHandling: 'contentHandling',
};

/** CloudFormation `AWS::ApiGateway::Method` `Integration` property. */
export const CFN_REST_INTEGRATION_KEYS: IntegrationKeys = {
  type: 'Type', uri: 'Uri', httpMethod: 'IntegrationHttpMethod', connectionType: 'ConnectionType',
  connectionId: 'ConnectionId', credentials: 'Credentials', requestParameters: 'RequestParameters',
  requestTemplates: 'RequestTemplates', passthroughBehavior: 'PassthroughBehavior', contentHandling: 'ContentHandling',
  timeoutInMillis: 'TimeoutInMillis', cacheKeyParameters: 'CacheKeyParameters', cacheNamespace: 'CacheNamespace',
  integrationSubtype: 'IntegrationSubtype', payloadFormatVersion: 'PayloadFormatVersion',
  responseParameters: 'ResponseParameters', tlsConfig: 'TlsConfig',
};

export const CFN_RESPONSE_KEYS: ResponseKeys = {
  statusCode: 'StatusCode', responseParameters: 'ResponseParameters', responseTemplates: 'ResponseTemplates',
  contentHandling: 'ContentHandling',
};

/** CloudFormation `AWS::ApiGatewayV2::Integration`. */
export const CFN_HTTP_INTEGRATION_KEYS: IntegrationKeys = {
  ...CFN_REST_INTEGRATION_KEYS,
  type: 'IntegrationType', uri: 'IntegrationUri', httpMethod: 'IntegrationMethod', credentials: 'CredentialsArn',
};

export interface ResponseInput {
  /** undefined = the default response. */
  selectionPattern?: string;
  fields: Fields;
}

/** What the method request declares, for the mapping expression checks API Gateway makes at import. */
export interface MethodContext {
  protocol: ApiProtocol;
  requestParameters: Route['requestParameters'];
  methodResponses: Record<string, MethodResponse>;
}

const TYPES: readonly IntegrationType[] = ['MOCK', 'HTTP', 'HTTP_PROXY', 'AWS', 'AWS_PROXY'];
const HTTP_API_TYPES: readonly IntegrationType[] = ['AWS_PROXY', 'HTTP_PROXY'];
const PASSTHROUGH: readonly PassthroughBehavior[] = ['WHEN_NO_MATCH', 'WHEN_NO_TEMPLATES', 'NEVER'];
const CONTENT_HANDLING: readonly ContentHandling[] = ['CONVERT_TO_TEXT', 'CONVERT_TO_BINARY'];
const BACKEND_METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY'] as const;

/** HTTP API first-class integrations (API Gateway Developer Guide "Integration subtype reference"). */
const SUBTYPES = [
  'EventBridge-PutEvents', 'SQS-SendMessage', 'SQS-ReceiveMessage', 'SQS-DeleteMessage', 'SQS-PurgeQueue',
  'AppConfig-GetConfiguration', 'Kinesis-PutRecord', 'StepFunctions-StartExecution',
  'StepFunctions-StartSyncExecution', 'StepFunctions-StopExecution',
];

/** REST timeouts are 50..29000 ms, HTTP API 50..30000 ms (API Gateway quotas). */
const TIMEOUT = { REST: { max: 29000, default: 29000 }, HTTP: { max: 30000, default: 30000 } } as const;

/** `${stageVariables.x}` can stand for any part of the URI, so its shape is only known per request. */
const hasStageVariable = (s: string): boolean => s.includes('${stageVariables.');

function checkUri(type: IntegrationType, uri: string | undefined, vpcLink: boolean, f: Fields, keys: IntegrationKeys, ctx: MethodContext, subtype: string | undefined): void {
  if (type === 'MOCK') return;
  if (uri === undefined || uri === '') {
    if (subtype) return; // first-class integrations take their target from requestParameters
    f.missing(keys.uri, `${keys.uri} is required for a ${type} integration`);
    return;
  }
  if (hasStageVariable(uri)) return;
  const isHttp = type === 'HTTP' || type === 'HTTP_PROXY';
  if (isHttp && !(vpcLink && ctx.protocol === 'HTTP') && !/^https?:\/\/[^/\s]+/i.test(uri)) {
    f.problems.add(f.at(keys.uri), `invalid HTTP endpoint ${JSON.stringify(uri)}: must be an absolute http(s) URL`);
  }
  if (!isHttp && !uri.startsWith('arn:')) {
    f.problems.add(f.at(keys.uri), `invalid ${type} integration URI ${JSON.stringify(uri)}: must be an ARN`);
  }
}

const REST_TARGET = /^integration\.request\.(header|querystring|path)\.[^.\s]+/;
const METHOD_REQUEST_SOURCE = /^method\.request\.(path|querystring|header|multivaluequerystring|multivalueheader)\.(.+)$/;

/** API Gateway rejects a mapping that reads a method request parameter the method does not declare. */
function checkMethodRequestSource(source: string, loc: Loc, ctx: MethodContext, problems: Problems): void {
  const match = METHOD_REQUEST_SOURCE.exec(source.trim());
  if (!match) return;
  const kind = match[1]!.replace('multivalue', '') as keyof Route['requestParameters'];
  if (!(match[2]! in ctx.requestParameters[kind])) {
    problems.add(loc, `invalid mapping expression: ${source} is not a declared method request parameter`);
  }
}

function checkRestRequestParameters(params: Record<string, string>, f: Fields, key: string, ctx: MethodContext): void {
  for (const [target, source] of Object.entries(params)) {
    const loc = f.at(key, target);
    if (!REST_TARGET.test(target)) {
      f.problems.add(loc, `invalid mapping target ${JSON.stringify(target)}: expected integration.request.{header|querystring|path}.<name>`);
    }
    checkMethodRequestSource(source, loc, ctx, f.problems);
  }
}

function buildResponse(input: ResponseInput, keys: ResponseKeys, ctx: MethodContext): IntegrationResponse | undefined {
  const f = input.fields;
  if (input.selectionPattern !== undefined) {
    try {
      new RegExp(input.selectionPattern);
    } catch (error) {
      f.problems.add(f.loc, `invalid selection pattern ${JSON.stringify(input.selectionPattern)}: ${(error as Error).message}`);
    }
  }
  const statusCode = f.str(keys.statusCode, true);
  if (statusCode !== undefined && !/^[1-5]\d\d$/.test(statusCode)) {
    f.problems.add(f.at(keys.statusCode), `invalid status code ${JSON.stringify(statusCode)}`);
  }
  const responseParameters = f.strMap(keys.responseParameters);
  if (statusCode !== undefined && ctx.protocol === 'REST') {
    // PutIntegrationResponse fails with "Invalid Response status code specified" without a method response.
    const methodResponse = ctx.methodResponses[statusCode];
    if (!methodResponse) f.problems.add(f.at(keys.statusCode), `no method response is declared for status code ${statusCode}`);
    for (const target of Object.keys(responseParameters)) {
      const header = /^method\.response\.header\.(.+)$/.exec(target)?.[1];
      if (header === undefined) {
        f.problems.add(f.at(keys.responseParameters, target), `invalid mapping target ${JSON.stringify(target)}: expected method.response.header.<name>`);
      } else if (methodResponse && !(header in methodResponse.headers)) {
        f.problems.add(f.at(keys.responseParameters, target), `invalid mapping expression: method response ${statusCode} does not declare the header ${header}`);
      }
    }
  }
  const contentHandling = f.oneOf(keys.contentHandling, CONTENT_HANDLING);
  if (statusCode === undefined) return undefined;
  return {
    ...(input.selectionPattern !== undefined && { selectionPattern: input.selectionPattern }),
    statusCode,
    responseParameters,
    responseTemplates: f.strMap(keys.responseTemplates),
    ...(contentHandling && { contentHandling }),
  };
}

/** HTTP API response mappings: `{ "200": { "overwrite:header.x": "..." } }` or CloudFormation's Destination/Source lists. */
function readHttpResponseParameters(f: Fields, key: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  const value = f.record(key);
  if (!value) return out;
  for (const [status, mapping] of Object.entries(value)) {
    const loc = f.at(key, status);
    const inner = Fields.of(mapping, loc, f.problems);
    if (!inner) continue;
    if (Array.isArray(inner.obj['ResponseParameters'])) {
      const entries: Record<string, string> = {};
      inner.list('ResponseParameters').forEach((item, i) => {
        const p = Fields.of(item, inner.at('ResponseParameters', i), f.problems);
        const destination = p?.str('Destination', true);
        const source = p?.str('Source', true);
        if (destination !== undefined && source !== undefined) entries[destination] = source;
      });
      out[status] = entries;
    } else {
      out[status] = new Fields(value, f.at(key), f.problems).strMap(status);
    }
  }
  return out;
}

function readTlsConfig(f: Fields, key: string): Integration['tlsConfig'] {
  const tls = f.fields(key);
  if (!tls) return undefined;
  const skip = tls.bool('insecureSkipVerification') ?? tls.bool('InsecureSkipVerification');
  const serverName = tls.str('serverNameToVerify') ?? tls.str('ServerNameToVerify');
  return { ...(skip !== undefined && { insecureSkipVerification: skip }), ...(serverName && { serverNameToVerify: serverName }) };
}

/**
 * Reads one integration. `responses` come from the caller because their container differs by spelling
 * (a map keyed by selection pattern in OpenAPI, a list in CloudFormation); declaration order is kept.
 */
export function buildIntegration(
  f: Fields,
  keys: IntegrationKeys,
  responses: ResponseInput[],
  responseKeys: ResponseKeys,
  ctx: MethodContext,
): Integration | undefined {
  const rest = ctx.protocol === 'REST';
  const type = f.oneOf(keys.type, TYPES, true);
  if (type && !rest && !HTTP_API_TYPES.includes(type)) {
    f.problems.add(f.at(keys.type), `HTTP APIs support AWS_PROXY and HTTP_PROXY integrations, not ${type}`);
  }
  const connectionType = f.oneOf(keys.connectionType, ['INTERNET', 'VPC_LINK'] as const) ?? 'INTERNET';
  const connectionId = f.str(keys.connectionId);
  if (connectionType === 'VPC_LINK' && !connectionId) f.missing(keys.connectionId, `${keys.connectionId} is required when ${keys.connectionType} is VPC_LINK`);
  const subtype = f.str(keys.integrationSubtype);
  if (subtype !== undefined) {
    if (rest) f.problems.add(f.at(keys.integrationSubtype), 'integration subtypes exist only for HTTP APIs');
    else if (!SUBTYPES.includes(subtype)) {
      f.problems.add(f.at(keys.integrationSubtype), `unknown integration subtype ${JSON.stringify(subtype)}; expected one of ${SUBTYPES.join(', ')}`);
    }
    else if (type && type !== 'AWS_PROXY') f.problems.add(f.at(keys.type), 'an integration with a subtype must be AWS_PROXY');
  }
  const uri = f.str(keys.uri);
  if (type) checkUri(type, uri, connectionType === 'VPC_LINK', f, keys, ctx, subtype);

  let httpMethod = f.str(keys.httpMethod)?.toUpperCase();
  if (httpMethod !== undefined && !(BACKEND_METHODS as readonly string[]).includes(httpMethod)) {
    f.problems.add(f.at(keys.httpMethod), `invalid integration HTTP method ${JSON.stringify(httpMethod)}`);
  }
  if (httpMethod === undefined && type && type !== 'MOCK') {
    // CloudFormation: "For the Type property, if you specify MOCK, this property is optional... For all other
    // types, you must specify this property." HTTP APIs default to the client's method (Lambda: POST).
    if (rest) f.missing(keys.httpMethod, `${keys.httpMethod} is required for a ${type} integration`);
    else httpMethod = type === 'AWS_PROXY' ? 'POST' : 'ANY';
  }

  const limits = TIMEOUT[ctx.protocol];
  const timeoutInMillis = f.int(keys.timeoutInMillis, 50, limits.max) ?? limits.default;

  const payload = f.str(keys.payloadFormatVersion);
  if (payload !== undefined && payload !== '1.0' && payload !== '2.0') {
    f.problems.add(f.at(keys.payloadFormatVersion), `payload format version must be '1.0' or '2.0', found ${JSON.stringify(payload)}`);
  }
  // HTTP API Lambda integrations default to 2.0; REST and HTTP proxies use 1.0 (API Gateway Developer Guide
  // "Create AWS Lambda proxy integrations for HTTP APIs").
  const payloadFormatVersion: '1.0' | '2.0' = payload === '1.0' || payload === '2.0' ? payload : !rest && type === 'AWS_PROXY' ? '2.0' : '1.0';

  const requestParameters = f.strMap(keys.requestParameters);
  if (rest) checkRestRequestParameters(requestParameters, f, keys.requestParameters, ctx);

  const built = responses.map((r) => buildResponse(r, responseKeys, ctx)).filter((r): r is IntegrationResponse => r !== undefined);
  const passthroughBehavior = f.oneOf(keys.passthroughBehavior, PASSTHROUGH) ?? 'WHEN_NO_MATCH';
  const contentHandling = f.oneOf(keys.contentHandling, CONTENT_HANDLING);
  const credentials = f.str(keys.credentials);
  const cacheNamespace = f.str(keys.cacheNamespace);
  const tlsConfig = readTlsConfig(f, keys.tlsConfig);
  if (!type) return undefined;
  return {
    type,
    httpMethod: httpMethod ?? 'ANY',
    uri: uri ?? '',
    connectionType,
    ...(connectionId && { connectionId }),
    ...(credentials && { credentials }),
    requestParameters,
    requestTemplates: f.strMap(keys.requestTemplates),
    passthroughBehavior,
    ...(contentHandling && { contentHandling }),
    timeoutInMillis,
    cacheKeyParameters: f.strList(keys.cacheKeyParameters),
    ...(cacheNamespace && { cacheNamespace }),
    responses: built,
    ...(subtype && { integrationSubtype: subtype }),
    payloadFormatVersion,
    responseParameters: rest ? {} : readHttpResponseParameters(f, keys.responseParameters),
    ...(tlsConfig && { tlsConfig }),
  };
}

/** OpenAPI `responses` map of the integration: key = selection pattern, `default` = none. */
export function openApiResponses(f: Fields, key = 'responses'): ResponseInput[] {
  const value = f.record(key);
  if (!value) return [];
  const out: ResponseInput[] = [];
  for (const [pattern, response] of Object.entries(value)) {
    const fields = Fields.of(response, f.at(key, pattern), f.problems);
    if (fields) out.push({ ...(pattern !== 'default' && { selectionPattern: pattern }), fields });
  }
  return out;
}

/** CloudFormation `IntegrationResponses` list. */
export function cfnResponses(f: Fields, key = 'IntegrationResponses'): ResponseInput[] {
  const out: ResponseInput[] = [];
  f.list(key).forEach((item, i) => {
    const fields = Fields.of(item, f.at(key, i), f.problems);
    if (!fields) return;
    const pattern = fields.str('SelectionPattern');
    out.push({ ...(pattern !== undefined && pattern !== '' && { selectionPattern: pattern }), fields });
  });
  return out;
}

