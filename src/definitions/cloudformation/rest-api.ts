/**
 * REST APIs declared as CloudFormation resources, either with an OpenAPI `Body` or resource by resource as
 * `cdk synth` emits them (CloudFormation Template Reference "AWS::ApiGateway::RestApi", "::Resource", "::Method",
 * "::Stage", "::Deployment", "::Model", "::RequestValidator", "::Authorizer", "::GatewayResponse").
 */
import type { AuthorizationType, MethodResponse, Route, TemplateResource } from '../model.js';
import { ApiBuilder } from '../apigateway/api-builder.js';
import { buildIntegration, CFN_REST_INTEGRATION_KEYS, CFN_RESPONSE_KEYS, cfnResponses } from '../apigateway/integration.js';
import { checkResourcePath, ROUTE_METHODS, routeKeyOf } from '../apigateway/paths.js';
import { buildAuthorizer, buildGatewayResponse, buildValidator, CFN_REST_AUTHORIZER_KEYS, checkGatewayResponseType, restMethodSettings, applyCacheCluster } from '../apigateway/settings.js';
import { loadOpenApi } from '../openapi/index.js';
import { Fields } from '../values.js';
import type { TemplateContext } from './context.js';

/** Settings a RestApi (or SAM Api) resource states outside its OpenAPI body; the properties win over the body. */
export function applyRestApiProperties(builder: ApiBuilder, f: Fields): void {
  const api = builder.api;
  // SAM writes `image~1png` for `image/png` (the `~1` of API Gateway's PATCH paths); both spellings load.
  if (f.has('BinaryMediaTypes')) api.binaryMediaTypes = f.strList('BinaryMediaTypes').map((t) => t.replace(/~1/g, '/'));
  const keySource = f.oneOf('ApiKeySourceType', ['HEADER', 'AUTHORIZER'] as const);
  if (keySource) api.apiKeySource = keySource;
  const compression = f.int('MinimumCompressionSize', 0, 10485760);
  if (compression !== undefined) api.minimumCompressionSize = compression;
  if (f.has('Policy')) api.policy = f.raw('Policy');
  const disable = f.bool('DisableExecuteApiEndpoint');
  if (disable !== undefined) api.disableExecuteApiEndpoint = disable;
  // CloudFormation: `EndpointConfiguration: {Types: [REGIONAL]}`; SAM also accepts the bare string or `{Type}`.
  const endpoint = f.raw('EndpointConfiguration');
  const e = typeof endpoint === 'string' ? undefined : f.fields('EndpointConfiguration');
  const type = (typeof endpoint === 'string' ? endpoint : (e?.strList('Types')[0] ?? e?.str('Type')))?.toUpperCase();
  if (type === 'EDGE' || type === 'REGIONAL' || type === 'PRIVATE') api.endpointType = type;
  else if (type !== undefined) f.problems.add(f.at('EndpointConfiguration'), `endpoint type must be EDGE, REGIONAL or PRIVATE, found ${JSON.stringify(type)}`);
}

export async function createRestApi(ctx: TemplateContext, r: TemplateResource): Promise<void> {
  const f = ctx.props(r);
  const init = { id: r.physicalId, protocol: 'REST' as const, logicalId: r.logicalId, problems: ctx.problems, ...(f.str('Name') && { name: f.str('Name')! }) };
  let builder: ApiBuilder | undefined;
  if (f.has('Body')) {
    builder = loadOpenApi({ ...init, doc: f.raw('Body'), loc: f.at('Body') });
  } else if (f.has('BodyS3Location')) {
    const doc = await ctx.readDocument(f.raw('BodyS3Location'), f.at('BodyS3Location'));
    if (doc) builder = loadOpenApi({ ...init, doc: doc.value, loc: { file: doc.file, pointer: '' } });
  }
  builder ??= new ApiBuilder({ protocol: 'REST', id: r.physicalId, name: f.str('Name') ?? r.logicalId, source: r.source, logicalId: r.logicalId }, ctx.problems);
  applyRestApiProperties(builder, f);
  ctx.apis.set(r.physicalId, builder);
}

/** Ids of RequestValidator / Authorizer resources -> the names methods refer to in the model. */
interface Names {
  validators: Map<string, string>;
  authorizers: Map<string, string>;
}

function attachApiObjects(ctx: TemplateContext): Names {
  const names: Names = { validators: new Map(), authorizers: new Map() };
  for (const r of ctx.ofType('AWS::ApiGateway::RequestValidator')) {
    const f = ctx.props(r);
    const builder = ctx.apiOf(f, 'RestApiId');
    const name = f.str('Name') ?? r.logicalId;
    names.validators.set(r.physicalId, name);
    if (builder) builder.api.requestValidators[name] = buildValidator(f, true);
  }
  for (const r of ctx.ofType('AWS::ApiGateway::Authorizer')) {
    const f = ctx.props(r);
    const builder = ctx.apiOf(f, 'RestApiId');
    const name = f.str('Name', true) ?? r.logicalId;
    names.authorizers.set(r.physicalId, name);
    const authorizer = builder && buildAuthorizer(name, f, CFN_REST_AUTHORIZER_KEYS, 'REST');
    if (authorizer) builder.api.authorizers[name] = authorizer;
  }
  for (const r of ctx.ofType('AWS::ApiGateway::Model')) {
    const f = ctx.props(r);
    const builder = ctx.apiOf(f, 'RestApiId');
    let schema: unknown = f.raw('Schema') ?? {};
    if (typeof schema === 'string') {
      try {
        schema = JSON.parse(schema) as unknown;
      } catch (error) {
        ctx.problems.add(f.at('Schema'), `the model schema is not valid JSON: ${(error as Error).message}`);
        continue;
      }
    }
    builder?.addModel(r.physicalId, schema, f.at('Schema'));
  }
  for (const r of ctx.ofType('AWS::ApiGateway::GatewayResponse')) {
    const f = ctx.props(r);
    const builder = ctx.apiOf(f, 'RestApiId');
    const type = f.str('ResponseType', true);
    if (builder && type && checkGatewayResponseType(type, f, 'ResponseType')) builder.api.gatewayResponses[type] = buildGatewayResponse(f, true);
  }
  return names;
}

/** Resource id -> path, walking `ParentId` up to an API's `RootResourceId`. */
function resourcePaths(ctx: TemplateContext): Map<string, string> {
  const paths = new Map<string, string>();
  for (const api of ctx.ofType('AWS::ApiGateway::RestApi', 'AWS::Serverless::Api')) {
    paths.set(String(api.attributes['RootResourceId']), '/');
  }
  const nodes = new Map(ctx.ofType('AWS::ApiGateway::Resource').map((r) => [r.physicalId, ctx.props(r)]));
  const resolve = (id: string, seen: string[]): string | undefined => {
    const known = paths.get(id);
    if (known !== undefined) return known;
    const f = nodes.get(id);
    if (!f || seen.includes(id)) {
      if (f) ctx.problems.add(f.at('ParentId'), 'resources form a cycle through ParentId');
      return undefined;
    }
    const parentId = f.str('ParentId', true);
    const part = f.str('PathPart', true);
    if (parentId === undefined || part === undefined) return undefined;
    if (!paths.has(parentId) && !nodes.has(parentId)) {
      ctx.problems.add(f.at('ParentId'), `ParentId ${JSON.stringify(parentId)} is neither a resource nor the root resource of an API in this template`);
      return undefined;
    }
    const parent = resolve(parentId, [...seen, id]);
    if (parent === undefined) return undefined;
    const full = `${parent === '/' ? '' : parent}/${part}`;
    if (!checkResourcePath(full, f.at('PathPart'), ctx.problems)) return undefined;
    paths.set(id, full);
    return full;
  };
  for (const id of nodes.keys()) resolve(id, []);
  return paths;
}

const AUTHORIZATION_TYPES: readonly AuthorizationType[] = ['NONE', 'AWS_IAM', 'CUSTOM', 'COGNITO_USER_POOLS'];
const REQUEST_PARAMETER = /^method\.request\.(querystring|header|path)\.(.+)$/;

function methodResponses(f: Fields): Record<string, MethodResponse> {
  const out: Record<string, MethodResponse> = {};
  f.list('MethodResponses').forEach((item, i) => {
    const r = Fields.of(item, f.at('MethodResponses', i), f.problems);
    const status = r?.str('StatusCode', true);
    if (!r || status === undefined) return;
    const headers: Record<string, boolean> = {};
    for (const [key, required] of Object.entries(r.boolMap('ResponseParameters'))) {
      const header = /^method\.response\.header\.(.+)$/.exec(key)?.[1];
      if (header) headers[header] = required;
      else r.problems.add(r.at('ResponseParameters', key), `invalid method response parameter ${JSON.stringify(key)}: expected method.response.header.<name>`);
    }
    out[status] = { headers, models: r.strMap('ResponseModels') };
  });
  return out;
}

function attachMethod(ctx: TemplateContext, m: TemplateResource, paths: Map<string, string>, names: Names): void {
  const f = ctx.props(m);
  const builder = ctx.apiOf(f, 'RestApiId');
  const resourceId = f.str('ResourceId', true);
  const method = f.str('HttpMethod', true)?.toUpperCase();
  if (method !== undefined && !ROUTE_METHODS.includes(method)) f.problems.add(f.at('HttpMethod'), `invalid HTTP method ${JSON.stringify(method)}`);
  const path = resourceId === undefined ? undefined : paths.get(resourceId);
  if (resourceId !== undefined && path === undefined && !ctx.byPhysicalId(resourceId, 'AWS::ApiGateway::Resource')) {
    f.problems.add(f.at('ResourceId'), `ResourceId ${JSON.stringify(resourceId)} is neither a resource nor the root resource of an API in this template`);
  }

  const requestParameters: Route['requestParameters'] = { path: {}, querystring: {}, header: {} };
  for (const param of path ? checkResourcePath(path, f.loc, ctx.problems)!.params : []) requestParameters.path[param] = true;
  for (const [key, required] of Object.entries(f.boolMap('RequestParameters'))) {
    const match = REQUEST_PARAMETER.exec(key);
    if (match) requestParameters[match[1] as keyof Route['requestParameters']][match[2]!] = required;
    else f.problems.add(f.at('RequestParameters', key), `invalid method request parameter ${JSON.stringify(key)}: expected method.request.{querystring|header|path}.<name>`);
  }
  const requestModels = f.strMap('RequestModels');
  for (const [type, model] of Object.entries(requestModels)) builder?.requireModel(model, f.at('RequestModels', type));

  const requestValidator = ctx.nameOf(f, 'RequestValidatorId', names.validators, 'a request validator');
  const { type: authorizationType, authorizerName } = ctx.authorization(f, AUTHORIZATION_TYPES, ['CUSTOM', 'COGNITO_USER_POOLS'], names.authorizers);

  const responses = methodResponses(f);
  const integrationFields = f.fields('Integration');
  if (!integrationFields) {
    if (!f.has('Integration')) f.missing('Integration', `no integration defined for method ${method ?? ''} ${path ?? ''}`.trim());
    return;
  }
  const integration = buildIntegration(integrationFields, CFN_REST_INTEGRATION_KEYS, cfnResponses(integrationFields), CFN_RESPONSE_KEYS, {
    protocol: 'REST',
    requestParameters,
    methodResponses: responses,
  });
  if (!builder || !integration || path === undefined || method === undefined) return;
  const operationName = f.str('OperationName');
  builder.addRoute(
    {
      path,
      method,
      routeKey: routeKeyOf(method, path),
      ...(operationName && { operationName }),
      requestParameters,
      requestModels,
      ...(requestValidator && { requestValidator }),
      apiKeyRequired: f.bool('ApiKeyRequired') ?? false,
      authorizationType,
      ...(authorizerName && { authorizerName }),
      authorizationScopes: f.strList('AuthorizationScopes'),
      methodResponses: responses,
      integration,
      source: m.source,
    },
    m.source,
  );
}

function attachStages(ctx: TemplateContext): void {
  for (const r of ctx.ofType('AWS::ApiGateway::Deployment')) {
    const f = ctx.props(r);
    const builder = ctx.apiOf(f, 'RestApiId');
    const name = f.str('StageName');
    if (!builder || name === undefined) continue;
    const stage = builder.stage(name);
    const description = f.fields('StageDescription');
    if (description) {
      Object.assign(stage.variables, description.strMap('Variables'));
      Object.assign(stage.methodSettings, restMethodSettings(description.list('MethodSettings'), description, 'MethodSettings'));
      applyCacheCluster(stage, description);
    }
  }
  for (const r of ctx.ofType('AWS::ApiGateway::Stage')) {
    const f = ctx.props(r);
    const builder = ctx.apiOf(f, 'RestApiId');
    const name = f.str('StageName', true);
    if (!builder || name === undefined) continue;
    const stage = builder.stage(name);
    Object.assign(stage.variables, f.strMap('Variables'));
    Object.assign(stage.methodSettings, restMethodSettings(f.list('MethodSettings'), f, 'MethodSettings'));
    applyCacheCluster(stage, f);
  }
}

/** Adds the resource-by-resource parts of every REST API of the template (including SAM ones). */
export function attachRestResources(ctx: TemplateContext): void {
  const names = attachApiObjects(ctx);
  const paths = resourcePaths(ctx);
  for (const m of ctx.ofType('AWS::ApiGateway::Method')) attachMethod(ctx, m, paths, names);
  attachStages(ctx);
}
