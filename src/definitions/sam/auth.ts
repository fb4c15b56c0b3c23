/**
 * SAM `Auth` of an Api / HttpApi: authorizers become security schemes of the OpenAPI document, the default
 * authorizer and API key requirement apply to every method without its own `security`, and an event's `Auth`
 * overrides both (AWS SAM Developer Guide "ApiAuth", "HttpApiAuth", "ApiFunctionAuth", "HttpApiFunctionAuth").
 */
import type { ApiProtocol } from '../model.js';
import type { Loc } from '../errors.js';
import { Fields, isRecord, type JsonObject } from '../values.js';
import type { StackEnv } from '../cloudformation/template.js';
import { OPERATION_METHODS } from '../openapi/operations.js';
import { lambdaInvocationUri, type SamEvent } from './events.js';

const IAM = 'AWS_IAM';
const API_KEY = 'api_key';

const iamScheme = (): JsonObject => ({ type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' });
const apiKeyScheme = (): JsonObject => ({ type: 'apiKey', name: 'x-api-key', in: 'header' });

/** Identity sources from SAM's `Identity` lists, spelled per protocol. */
function identitySources(identity: Fields | undefined, protocol: ApiProtocol): string[] {
  if (!identity) return [];
  const prefixes: [string, string][] =
    protocol === 'REST'
      ? [['Headers', 'method.request.header.'], ['QueryStrings', 'method.request.querystring.'], ['StageVariables', 'stageVariables.'], ['Context', 'context.']]
      : [['Headers', '$request.header.'], ['QueryStrings', '$request.querystring.'], ['StageVariables', '$stageVariables.'], ['Context', '$context.']];
  return prefixes.flatMap(([key, prefix]) => identity.strList(key).map((name) => prefix + name));
}

/** One `Auth.Authorizers` entry as the security scheme SAM writes. */
function scheme(a: Fields, protocol: ApiProtocol, env: StackEnv): JsonObject | undefined {
  const identity = a.fields('Identity');
  const ttl = identity?.int('ReauthorizeEvery', 0, 3600);
  const role = a.str('FunctionInvokeRole');
  const credentials = role !== undefined && role !== 'NONE' ? { authorizerCredentials: role } : {};
  const functionArn = a.str('FunctionArn');
  if (protocol === 'HTTP') {
    const jwt = a.fields('JwtConfiguration');
    if (jwt) {
      return {
        type: 'oauth2',
        'x-amazon-apigateway-authorizer': {
          type: 'jwt',
          jwtConfiguration: { issuer: jwt.str('issuer') ?? jwt.str('Issuer'), audience: jwt.has('audience') ? jwt.strList('audience', true) : jwt.strList('Audience', true) },
          identitySource: a.str('IdentitySource') ?? '$request.header.Authorization',
        },
      };
    }
    if (functionArn === undefined) return undefined;
    const simple = a.bool('EnableSimpleResponses');
    return {
      type: 'apiKey',
      name: 'Authorization',
      in: 'header',
      'x-amazon-apigateway-authorizer': {
        type: 'request',
        authorizerUri: lambdaInvocationUri(env, functionArn),
        ...(a.has('AuthorizerPayloadFormatVersion') && { authorizerPayloadFormatVersion: a.str('AuthorizerPayloadFormatVersion') }),
        ...(simple !== undefined && { enableSimpleResponses: simple }),
        identitySource: identitySources(identity, protocol),
        ...(ttl !== undefined && { authorizerResultTtlInSeconds: ttl }),
        ...credentials,
      },
    };
  }
  const header = identity?.str('Header') ?? 'Authorization';
  const validation = identity?.str('ValidationExpression');
  if (a.has('UserPoolArn')) {
    return {
      type: 'apiKey',
      name: header,
      in: 'header',
      'x-amazon-apigateway-authtype': 'cognito_user_pools',
      'x-amazon-apigateway-authorizer': { type: 'cognito_user_pools', providerARNs: a.strList('UserPoolArn', true), ...(validation && { identityValidationExpression: validation }) },
    };
  }
  if (functionArn === undefined) return undefined;
  const request = a.str('FunctionPayloadType')?.toUpperCase() === 'REQUEST';
  return {
    type: 'apiKey',
    name: request ? 'Unused' : header,
    in: 'header',
    'x-amazon-apigateway-authtype': 'custom',
    'x-amazon-apigateway-authorizer': {
      type: request ? 'request' : 'token',
      authorizerUri: lambdaInvocationUri(env, functionArn),
      ...(ttl !== undefined && { authorizerResultTtlInSeconds: ttl }),
      ...credentials,
      ...(request ? { identitySource: identitySources(identity, protocol).join(', ') } : validation ? { identityValidationExpression: validation } : {}),
    },
  };
}

/** The scheme container of the document: `securityDefinitions` (Swagger 2) or `components.securitySchemes`. */
function schemes(doc: JsonObject): JsonObject {
  if (doc['swagger'] !== undefined) {
    if (!isRecord(doc['securityDefinitions'])) doc['securityDefinitions'] = {};
    return doc['securityDefinitions'] as JsonObject;
  }
  if (!isRecord(doc['components'])) doc['components'] = {};
  const components = doc['components'] as JsonObject;
  if (!isRecord(components['securitySchemes'])) components['securitySchemes'] = {};
  return components['securitySchemes'] as JsonObject;
}

/** Every operation of the document with its method key. */
function* operations(doc: JsonObject): Generator<[string, JsonObject]> {
  for (const item of Object.values(isRecord(doc['paths']) ? doc['paths'] : {})) {
    if (!isRecord(item)) continue;
    for (const [key, op] of Object.entries(item)) {
      if (OPERATION_METHODS[key.toLowerCase()] && isRecord(op)) yield [key.toLowerCase(), op];
    }
  }
}

/**
 * Writes the API's `Auth` into `doc`. `eventOps` maps each operation an event generated to that event, whose
 * own `Auth` wins over the API's defaults.
 */
export function applySamAuth(doc: JsonObject, api: Fields, protocol: ApiProtocol, env: StackEnv, eventOps: Map<object, SamEvent>, origins: WeakMap<object, Loc>): void {
  const auth = api.fields('Auth');
  const container = schemes(doc);
  const authorizers = auth?.fields('Authorizers');
  const scopes = new Map<string, string[]>();
  for (const [name, value] of Object.entries(authorizers?.obj ?? {})) {
    const a = Fields.of(value, authorizers!.at(name), api.problems);
    if (!a) continue;
    const generated = scheme(a, protocol, env);
    if (!generated) {
      api.problems.add(a.loc, protocol === 'HTTP' ? 'an authorizer needs JwtConfiguration or FunctionArn' : 'an authorizer needs FunctionArn or UserPoolArn');
      continue;
    }
    origins.set(generated, a.loc);
    origins.set(generated['x-amazon-apigateway-authorizer'] as JsonObject, a.loc);
    container[name] = generated;
    scopes.set(name, a.strList('AuthorizationScopes'));
  }
  const known = (name: string): boolean => name === IAM || name === 'NONE' || scopes.has(name);
  const defaultAuthorizer = auth?.str('DefaultAuthorizer');
  if (defaultAuthorizer !== undefined && !known(defaultAuthorizer)) {
    api.problems.add(auth!.at('DefaultAuthorizer'), `DefaultAuthorizer '${defaultAuthorizer}' is not one of the API's Authorizers`);
  }
  if (protocol === 'HTTP' && auth?.bool('EnableIamAuthorizer')) container[IAM] = iamScheme();
  const apiKeyDefault = protocol === 'REST' && (auth?.bool('ApiKeyRequired') ?? false);
  const defaultOnPreflight = auth?.bool('AddDefaultAuthorizerToCorsPreflight') ?? true;
  const apiKeyOnPreflight = auth?.bool('AddApiKeyRequiredToCorsPreflight') ?? true;

  const requirement = (name: string | undefined, own: string[] | undefined): JsonObject[] => {
    if (name === undefined || name === 'NONE' || !known(name)) return [];
    if (name === IAM) container[IAM] ??= iamScheme();
    return [{ [name]: own ?? scopes.get(name) ?? [] }];
  };
  const apiKey = (required: boolean): JsonObject[] => {
    if (!required) return [];
    container[API_KEY] ??= apiKeyScheme();
    return [{ [API_KEY]: [] }];
  };

  for (const [method, op] of operations(doc)) {
    const ev = eventOps.get(op);
    const evAuth = ev?.props.fields('Auth');
    if (evAuth) {
      const name = evAuth.str('Authorizer') ?? defaultAuthorizer;
      if (name !== undefined && !known(name)) evAuth.problems.add(evAuth.at('Authorizer'), `Authorizer '${name}' is not one of the API's Authorizers`);
      const own = evAuth.has('AuthorizationScopes') ? evAuth.strList('AuthorizationScopes') : undefined;
      op['security'] = [...requirement(name, own), ...apiKey(protocol === 'REST' && (evAuth.bool('ApiKeyRequired') ?? apiKeyDefault))];
    } else if (op['security'] === undefined) {
      const preflight = method === 'options';
      const security = [
        ...(preflight && !defaultOnPreflight ? [] : requirement(defaultAuthorizer, undefined)),
        ...apiKey(apiKeyDefault && !(preflight && !apiKeyOnPreflight)),
      ];
      if (security.length > 0) op['security'] = security;
    }
  }
}
