/**
 * HTTP APIs declared as CloudFormation resources: `AWS::ApiGatewayV2::Api` (OpenAPI `Body`, quick create with
 * `Target`) and its Route / Integration / Stage / Authorizer resources (CloudFormation Template Reference
 * "AWS::ApiGatewayV2::*"; API Gateway Developer Guide "Working with HTTP APIs").
 */
import type { AuthorizationType, Integration, TemplateResource } from '../model.js';
import { ApiBuilder } from '../apigateway/api-builder.js';
import { buildIntegration, CFN_HTTP_INTEGRATION_KEYS, CFN_RESPONSE_KEYS } from '../apigateway/integration.js';
import { parseRouteKey, routeKeyOf } from '../apigateway/paths.js';
import { buildAuthorizer, buildCors, CFN_HTTP_AUTHORIZER_KEYS, httpRouteSettings } from '../apigateway/settings.js';
import { loadOpenApi } from '../openapi/index.js';
import { Fields } from '../values.js';
import type { TemplateContext } from './context.js';

/** The HTTP API properties that override its body: CORS (`corsKey`, PascalCase) and the default endpoint switch. */
export function applyHttpApiProperties(builder: ApiBuilder, f: Fields, corsKey: string | undefined): void {
  const cors = corsKey === undefined ? undefined : f.fields(corsKey);
  if (cors) builder.api.cors = buildCors(cors, true);
  const disable = f.bool('DisableExecuteApiEndpoint');
  if (disable !== undefined) builder.api.disableExecuteApiEndpoint = disable;
}

/** HTTP API routes declare no method request to check mappings against. */
const HTTP_METHOD_CONTEXT = { protocol: 'HTTP', requestParameters: { path: {}, querystring: {}, header: {} }, methodResponses: {} } as const;

/** Quick create: `Target` makes a `$default` (or `RouteKey`) route and a `$default` stage (CreateApi reference). */
function quickCreate(ctx: TemplateContext, builder: ApiBuilder, f: Fields, r: TemplateResource): void {
  const target = f.str('Target');
  if (target === undefined) return;
  const isLambda = target.startsWith('arn:');
  const integration = buildIntegration(
    new Fields(
      {
        IntegrationType: isLambda ? 'AWS_PROXY' : 'HTTP_PROXY',
        IntegrationUri: target,
        ...(isLambda && { PayloadFormatVersion: '2.0' }),
        ...(f.has('CredentialsArn') && { CredentialsArn: f.raw('CredentialsArn') }),
      },
      f.at('Target'),
      ctx.problems,
    ),
    CFN_HTTP_INTEGRATION_KEYS,
    [],
    CFN_RESPONSE_KEYS,
    HTTP_METHOD_CONTEXT,
  );
  const routeKey = f.str('RouteKey') ?? '$default';
  const parsed = parseRouteKey(routeKey, f.at('RouteKey'), ctx.problems);
  if (!integration || !parsed) return;
  builder.addRoute(
    {
      path: parsed.path,
      method: parsed.method,
      routeKey: routeKeyOf(parsed.method, parsed.path),
      requestParameters: { path: Object.fromEntries(parsed.params.map((p) => [p, true])), querystring: {}, header: {} },
      requestModels: {},
      apiKeyRequired: false,
      authorizationType: 'NONE',
      authorizationScopes: [],
      methodResponses: {},
      integration,
      source: r.source,
    },
    r.source,
  );
  builder.stage('$default');
}

export async function createHttpApi(ctx: TemplateContext, r: TemplateResource): Promise<void> {
  const f = ctx.props(r);
  const protocol = f.str('ProtocolType') ?? (f.has('Body') || f.has('BodyS3Location') ? 'HTTP' : undefined);
  if (protocol === 'WEBSOCKET') {
    ctx.ignoredApis.add(r.physicalId); // not served; the resource stays in Project.resources
    return;
  }
  if (protocol !== 'HTTP') {
    f.missing('ProtocolType', 'ProtocolType must be HTTP (or give a Body)');
    return;
  }
  const init = { id: r.physicalId, protocol: 'HTTP' as const, logicalId: r.logicalId, problems: ctx.problems, ...(f.str('Name') && { name: f.str('Name')! }) };
  let builder: ApiBuilder | undefined;
  if (f.has('Body')) {
    builder = loadOpenApi({ ...init, doc: f.raw('Body'), loc: f.at('Body') });
  } else if (f.has('BodyS3Location')) {
    const doc = await ctx.readDocument(f.raw('BodyS3Location'), f.at('BodyS3Location'));
    if (doc) builder = loadOpenApi({ ...init, doc: doc.value, loc: { file: doc.file, pointer: '' } });
  }
  builder ??= new ApiBuilder({ protocol: 'HTTP', id: r.physicalId, name: f.str('Name') ?? r.logicalId, source: r.source, logicalId: r.logicalId }, ctx.problems);
  applyHttpApiProperties(builder, f, 'CorsConfiguration');
  quickCreate(ctx, builder, f, r);
  ctx.apis.set(r.physicalId, builder);
}

const ROUTE_AUTHORIZATION: readonly AuthorizationType[] = ['NONE', 'AWS_IAM', 'CUSTOM', 'JWT'];

/** Adds Integration / Authorizer / Route / Stage resources to the HTTP APIs of the template. */
export function attachHttpResources(ctx: TemplateContext): void {
  const ofApi = (type: string): TemplateResource[] => ctx.ofType(type).filter((r) => !ctx.ignoredApis.has(String(r.properties['ApiId'])));
  const authorizerNames = new Map<string, string>();
  for (const r of ofApi('AWS::ApiGatewayV2::Authorizer')) {
    const f = ctx.props(r);
    const builder = ctx.apiOf(f, 'ApiId');
    const name = f.str('Name', true) ?? r.logicalId;
    authorizerNames.set(r.physicalId, name);
    const authorizer = builder && buildAuthorizer(name, f, CFN_HTTP_AUTHORIZER_KEYS, 'HTTP');
    if (authorizer) builder.api.authorizers[name] = authorizer;
  }
  // Integrations are built once, when the first route needs one, so an unused integration still gets checked.
  const integrations = new Map<string, Integration | undefined>();
  const integration = (r: TemplateResource): Integration | undefined => {
    if (!integrations.has(r.physicalId)) {
      const f = ctx.props(r);
      ctx.apiOf(f, 'ApiId');
      const built = buildIntegration(f, CFN_HTTP_INTEGRATION_KEYS, [], CFN_RESPONSE_KEYS, HTTP_METHOD_CONTEXT);
      integrations.set(r.physicalId, built);
    }
    return integrations.get(r.physicalId);
  };
  for (const r of ofApi('AWS::ApiGatewayV2::Integration')) integration(r);

  for (const r of ofApi('AWS::ApiGatewayV2::Route')) {
    const f = ctx.props(r);
    const builder = ctx.apiOf(f, 'ApiId');
    const routeKey = f.str('RouteKey', true);
    const parsed = routeKey === undefined ? undefined : parseRouteKey(routeKey, f.at('RouteKey'), ctx.problems);
    const target = f.str('Target');
    const integrationId = target === undefined ? undefined : /^integrations\/(.+)$/.exec(target)?.[1];
    if (target === undefined) f.missing('Target', 'the route has no Target (integrations/<integration id>); gatehouse needs an integration for every route');
    else if (integrationId === undefined) f.problems.add(f.at('Target'), `Target must be 'integrations/<integration id>', found ${JSON.stringify(target)}`);
    const integrationResource = integrationId === undefined ? undefined : ctx.byPhysicalId(integrationId, 'AWS::ApiGatewayV2::Integration');
    if (integrationId !== undefined && !integrationResource) {
      f.problems.add(f.at('Target'), `integration ${JSON.stringify(integrationId)} is not an integration of this template`);
    }
    const { type: authorizationType, authorizerName } = ctx.authorization(f, ROUTE_AUTHORIZATION, ['CUSTOM', 'JWT'], authorizerNames);
    const built = integrationResource && integration(integrationResource);
    if (!builder || !parsed || !built) continue;
    const operationName = f.str('OperationName');
    builder.addRoute(
      {
        path: parsed.path,
        method: parsed.method,
        routeKey: routeKey!,
        ...(operationName && { operationName }),
        requestParameters: { path: Object.fromEntries(parsed.params.map((p) => [p, true])), querystring: {}, header: {} },
        requestModels: {},
        apiKeyRequired: f.bool('ApiKeyRequired') ?? false,
        authorizationType,
        ...(authorizerName && { authorizerName }),
        authorizationScopes: f.strList('AuthorizationScopes'),
        methodResponses: {},
        integration: built,
        source: r.source,
      },
      r.source,
    );
  }

  for (const r of ofApi('AWS::ApiGatewayV2::Stage')) {
    const f = ctx.props(r);
    const builder = ctx.apiOf(f, 'ApiId');
    const name = f.str('StageName', true);
    if (!builder || name === undefined) continue;
    const stage = builder.stage(name);
    Object.assign(stage.variables, f.strMap('StageVariables'));
    Object.assign(stage.methodSettings, httpRouteSettings(f, ctx.problems));
  }
}
