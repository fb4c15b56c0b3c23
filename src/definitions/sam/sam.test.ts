import { test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { loadDefinition } from '../index.js';
import type { Api, Route } from '../model.js';
import { fixture } from '../testing.js';

const route = (api: Api, key: string): Route => {
  const found = api.routes.find((r) => r.routeKey === key);
  assert.ok(found, `route ${key} in ${api.routes.map((r) => r.routeKey).join(', ')}`);
  return found;
};

test('SAM implicit APIs: ServerlessRestApi on stage Prod, ServerlessHttpApi on $default, Globals merged', async () => {
  const file = fixture('sam-app/template.yaml');
  const project = await loadDefinition(file, { awsEndpoint: 'http://127.0.0.1:4566' });
  assert.equal(project.stackName, 'template');
  const rest = project.apis.find((a) => a.logicalId === 'ServerlessRestApi')!;
  const http = project.apis.find((a) => a.logicalId === 'ServerlessHttpApi')!;
  assert.equal(rest.protocol, 'REST');
  assert.deepEqual(rest.stages.map((s) => [s.name, s.isDefault]), [['Prod', false]]);
  assert.equal(http.protocol, 'HTTP');
  assert.deepEqual(http.stages.map((s) => [s.name, s.isDefault]), [['$default', true]]);

  const fn = project.functions.find((f) => f.logicalId === 'HelloFunction')!;
  const hello = route(rest, 'GET /hello');
  assert.equal(hello.integration.type, 'AWS_PROXY');
  assert.equal(hello.integration.httpMethod, 'POST');
  assert.equal(hello.integration.payloadFormatVersion, '1.0');
  assert.equal(hello.integration.uri, `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn.arn}/invocations`);
  assert.equal(hello.source.pointer, '/Resources/HelloFunction/Properties/Events/Hello');

  const named = route(rest, 'ANY /hello/{name}');
  assert.deepEqual(named.requestParameters, { path: { name: true }, querystring: { lang: false }, header: { 'X-Trace': true } });
  assert.deepEqual(named.integration.cacheKeyParameters, ['method.request.header.X-Trace']);

  // Globals.Api.Cors: an OPTIONS MOCK method on each path, as SAM generates it.
  const options = route(rest, 'OPTIONS /hello');
  assert.equal(options.integration.type, 'MOCK');
  assert.deepEqual(options.integration.responses[0]!.responseParameters, {
    'method.response.header.Access-Control-Allow-Origin': "'*'",
    'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS'",
  });
  assert.equal(route(rest, 'OPTIONS /hello/{name}').integration.responses[0]!.responseParameters['method.response.header.Access-Control-Allow-Methods'], "'DELETE,GET,HEAD,OPTIONS,PATCH,POST,PUT'");
  assert.equal(options.source.pointer, '/Globals/Api/Cors');
  assert.deepEqual(rest.binaryMediaTypes, ['image/png'], 'SAM writes ~1 for /');

  assert.equal(route(http, 'GET /v2/hello').integration.payloadFormatVersion, '2.0');
  assert.equal(route(http, '$default').integration.uri, hello.integration.uri);
  const legacy = route(http, 'POST /legacy');
  assert.equal(legacy.integration.payloadFormatVersion, '1.0');
  assert.equal(legacy.integration.timeoutInMillis, 12000);

  // Functions: Globals (maps merged, lists appended, scalars overridden), defaults, local code and layers.
  assert.equal(fn.runtime, 'nodejs20.x');
  assert.equal(fn.handler, 'app.handler');
  assert.equal(fn.codeDir, path.join(path.dirname(file), 'src/hello'));
  assert.equal(fn.timeout, 10);
  assert.equal(fn.memorySize, 256);
  assert.deepEqual(fn.environment, {
    TABLE_NAME: 'template-items',
    STAGE: 'dev',
    GREETING: 'hello',
    QUEUE_URL: project.resources.find((r) => r.logicalId === 'Jobs')!.physicalId,
  });
  assert.match(fn.environment['QUEUE_URL']!, /^http:\/\/127\.0\.0\.1:4566\/000000000000\/template-Jobs-[A-Z0-9]{10}$/);
  assert.deepEqual(fn.layers, [path.join(path.dirname(file), 'layers/common')]);
  assert.deepEqual(fn.architectures, ['x86_64']);
  assert.deepEqual(fn.metadata, { BuildMethod: 'esbuild', BuildProperties: { Minify: true } });
  const legacyFn = project.functions.find((f) => f.logicalId === 'LegacyFunction')!;
  assert.equal(legacyFn.runtime, 'python3.12');
  assert.equal(legacyFn.timeout, 30);
  assert.deepEqual(legacyFn.architectures, ['arm64']);

  // The condition IsProd is false: the resource and its output are left out.
  assert.equal(project.functions.some((f) => f.logicalId === 'ProdOnlyFunction'), false);
  assert.equal('ProdOnly' in project.outputs, false);

  assert.deepEqual(project.outputs['HelloApi'], {
    value: `https://${rest.id}.execute-api.us-east-1.amazonaws.com/Prod/hello/`,
    description: 'API Gateway endpoint URL for Prod stage',
  });
  assert.equal(project.outputs['HelloRole']!.value, project.resources.find((r) => r.logicalId === 'HelloFunctionRole')!.attributes['Arn']);
  assert.equal(project.outputs['HttpEndpoint']!.exportName, 'template-http');
  assert.deepEqual(project.parameters, { Env: 'dev', TableSuffix: 'items' });
});

test('SAM parameter overrides switch conditions and mappings', async () => {
  const project = await loadDefinition(fixture('sam-app/template.yaml'), { parameterOverrides: { Env: 'prod' }, stackName: 'hello' });
  const prodOnly = project.functions.find((f) => f.logicalId === 'ProdOnlyFunction')!;
  assert.equal(prodOnly.inlineCode, 'exports.handler = async () => ({ statusCode: 200 })');
  assert.equal(prodOnly.codeDir, undefined);
  assert.equal(prodOnly.memorySize, 1024);
  assert.match(prodOnly.name, /^hello-ProdOnlyFunction-[A-Z0-9]{10}$/);
  assert.equal(project.outputs['ProdOnly']!.value, prodOnly.name);
});

test('AWS::Serverless::Api: DefinitionBody with !Sub, events merged in, Auth, Models, Cors, stage settings, domain', async () => {
  const project = await loadDefinition(fixture('sam-explicit-api.yaml'));
  const shop = project.apis.find((a) => a.logicalId === 'ShopApi')!;
  assert.equal(shop.name, 'shop');
  assert.equal(shop.endpointType, 'REGIONAL');
  assert.deepEqual(shop.stages, [
    {
      name: 'v1',
      variables: { backend: 'backend.example.com' },
      methodSettings: {
        '*/*': { throttlingBurstLimit: 20, throttlingRateLimit: 10 },
        '~1items/GET': { cachingEnabled: true, cacheTtlInSeconds: 60 },
      },
      isDefault: false,
    },
  ]);
  // ${!stageVariables.backend} keeps the literal; ${AWS::Region} is substituted.
  assert.equal(route(shop, 'GET /items').integration.uri, 'https://${stageVariables.backend}/items?region=us-east-1');
  const items = project.functions.find((f) => f.logicalId === 'ItemsFunction')!;
  assert.equal(route(shop, 'GET /legacy').integration.uri, `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${items.arn}/invocations`);

  // Default authorizer and API key apply to methods without their own security; `security: []` opts out.
  assert.deepEqual(pick(route(shop, 'GET /items')), ['CUSTOM', 'TokenAuth', true, []]);
  assert.deepEqual(pick(route(shop, 'GET /health')), ['NONE', undefined, false, []]);
  assert.deepEqual(pick(route(shop, 'POST /items')), ['COGNITO_USER_POOLS', 'Cognito', false, ['shop/read']]);
  assert.deepEqual(pick(route(shop, 'GET /public')), ['NONE', undefined, true, []]);
  // AddApiKeyRequiredToCorsPreflight: false.
  assert.deepEqual(pick(route(shop, 'OPTIONS /items')), ['CUSTOM', 'TokenAuth', false, []]);

  const create = route(shop, 'POST /items');
  assert.deepEqual(create.requestModels, { 'application/json': 'item' });
  assert.equal(create.requestValidator, 'body-only');
  assert.deepEqual(shop.requestValidators['body-only'], { validateRequestBody: true, validateRequestParameters: false });
  assert.deepEqual(shop.models['item'], { type: 'object', required: ['name'], properties: { name: { type: 'string' } } });

  const token = shop.authorizers['TokenAuth']!;
  assert.equal(token.type, 'token');
  assert.deepEqual(token.identitySource, ['method.request.header.X-Auth']);
  assert.equal(token.resultTtlInSeconds, 0);
  const userPool = project.resources.find((r) => r.logicalId === 'Users')!;
  assert.deepEqual(shop.authorizers['Cognito']!.providerArns, [userPool.attributes['Arn']]);

  const cors = route(shop, 'OPTIONS /items').integration.responses[0]!.responseParameters;
  assert.equal(cors['method.response.header.Access-Control-Allow-Origin'], "'https://shop.example.com'");
  assert.equal(cors['method.response.header.Access-Control-Max-Age'], "'600'");
  assert.equal(cors['method.response.header.Access-Control-Allow-Methods'], "'GET,OPTIONS,POST'");
  assert.equal(shop.gatewayResponses['DEFAULT_4XX']!.responseParameters['gatewayresponse.header.Access-Control-Allow-Origin'], "'*'");

  // A state machine Api event starts an execution.
  const orders = route(shop, 'POST /orders');
  assert.equal(orders.integration.type, 'AWS');
  assert.equal(orders.integration.uri, 'arn:aws:apigateway:us-east-1:states:action/StartExecution');
  assert.match(orders.integration.requestTemplates['application/json']!, /"stateMachineArn": "arn:aws:states:us-east-1:000000000000:stateMachine:/);

  assert.deepEqual(project.domains, [
    {
      domainName: 'api.shop.example.com',
      mappings: [
        { basePath: '', apiId: shop.id, stage: 'v1' },
        { basePath: 'v1', apiId: shop.id, stage: 'v1' },
      ],
    },
  ]);

  const notes = project.apis.find((a) => a.logicalId === 'NotesApi')!;
  assert.equal(notes.protocol, 'HTTP');
  assert.deepEqual(notes.stages, [{ name: 'live', variables: { color: 'blue' }, methodSettings: { '*/*': { throttlingBurstLimit: 5 } }, isDefault: false }]);
  assert.deepEqual(notes.cors?.allowOrigins, ['*']);
  const note = route(notes, 'GET /notes/{id}');
  assert.deepEqual(pick(note), ['JWT', 'Jwt', false, ['notes/read']]);
  assert.deepEqual(notes.authorizers['Jwt']!.jwtConfiguration, { issuer: userPool.attributes['ProviderURL'], audience: ['notes-app'] });
});

function pick(r: Route): unknown[] {
  return [r.authorizationType, r.authorizerName, r.apiKeyRequired, r.authorizationScopes];
}

test('DefinitionUri and BodyS3Location read local OpenAPI files next to the template; their problems name that file', async () => {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-sam-'));
  await writeFile(
    path.join(dir, 'api.yaml'),
    "swagger: '2.0'\ninfo: { title: from-file, version: '1' }\npaths:\n  /ping:\n    get:\n      x-amazon-apigateway-integration: { type: mock }\n",
  );
  await writeFile(path.join(dir, 'broken.yaml'), "swagger: '2.0'\ninfo: { title: b, version: '1' }\npaths:\n  /ping:\n    get: {}\n");
  const template = (uri: string): string =>
    [
      'Transform: AWS::Serverless-2016-10-31',
      'Resources:',
      '  Sam:',
      '    Type: AWS::Serverless::Api',
      `    Properties: { StageName: live, DefinitionUri: ${uri} }`,
      '  Raw:',
      '    Type: AWS::ApiGateway::RestApi',
      `    Properties: { BodyS3Location: { Bucket: assets, Key: ${uri} } }`,
    ].join('\n');
  await writeFile(path.join(dir, 'ok.yaml'), template('./api.yaml'));
  const project = await loadDefinition(path.join(dir, 'ok.yaml'));
  assert.deepEqual(project.apis.map((a) => [a.name, a.routes.map((r) => r.routeKey), a.stages.map((s) => s.name)]), [
    ['from-file', ['GET /ping'], ['dev']],
    ['from-file', ['GET /ping'], ['live']],
  ]);
  assert.equal(project.apis[0]!.routes[0]!.source.file, path.join(dir, 'api.yaml'));

  await writeFile(path.join(dir, 'bad.yaml'), template('./broken.yaml'));
  await assert.rejects(loadDefinition(path.join(dir, 'bad.yaml')), (error: Error & { problems?: { file: string; pointer: string; line?: number }[] }) => {
    assert.deepEqual(error.problems?.map((p) => [path.basename(p.file), p.pointer, p.line]), [['broken.yaml', '/paths/~1ping/get', 5]]);
    return true;
  });

  await writeFile(path.join(dir, 'missing.yaml'), template('./nope.yaml'));
  await assert.rejects(loadDefinition(path.join(dir, 'missing.yaml')), /Sam\/Properties\/DefinitionUri: cannot find the referenced file/);
});

/** Writes a template into a fresh temp folder and returns its path. */
async function writeTemplate(text: string): Promise<string> {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const file = path.join(await mkdtemp(path.join(tmpdir(), 'gatehouse-sam-')), 'template.yaml');
  await writeFile(file, text);
  return file;
}

test('SAM-generated stage resources can be named by DependsOn and Ref (a usage plan on MyApiProdStage)', async () => {
  // AWS SAM Developer Guide, "CloudFormation resources generated when AWS::Serverless::Api is specified":
  // the stage is `<api-LogicalId><stage-name>Stage`; for an HTTP API without StageName,
  // `<httpapi-LogicalId>ApiGatewayDefaultStage`. Ref of a stage returns its name.
  const file = await writeTemplate(
    `Transform: AWS::Serverless-2016-10-31
Parameters:
  Stage: { Type: String, Default: v1 }
Resources:
  MyApi:
    Type: AWS::Serverless::Api
    Properties:
      StageName: Prod
      DefinitionBody:
        swagger: "2.0"
        info: { title: plans, version: "1" }
        paths:
          /ping:
            get:
              x-amazon-apigateway-integration: { type: mock }
  Versioned:
    Type: AWS::Serverless::Api
    Properties:
      StageName: !Ref Stage
      DefinitionBody:
        swagger: "2.0"
        info: { title: versioned, version: "1" }
        paths: {}
  Http:
    Type: AWS::Serverless::HttpApi
  Plan:
    Type: AWS::ApiGateway::UsagePlan
    DependsOn: MyApiProdStage
    Properties:
      ApiStages: [{ ApiId: !Ref MyApi, Stage: !Ref MyApiProdStage }]
      Quota: { Limit: 100, Period: DAY }
Outputs:
  RestStage: { Value: !Ref MyApiProdStage }
  ParameterStage: { Value: !Ref Versionedv1Stage }
  HttpStage: { Value: !Ref HttpApiGatewayDefaultStage }
`,
  );
  const project = await loadDefinition(file);
  assert.deepEqual(project.outputs['RestStage'], { value: 'Prod' });
  assert.deepEqual(project.outputs['ParameterStage'], { value: 'v1' });
  assert.deepEqual(project.outputs['HttpStage'], { value: '$default' });
  assert.deepEqual(project.resources.find((r) => r.logicalId === 'Plan')!.properties['ApiStages'], [{ ApiId: project.apis.find((a) => a.logicalId === 'MyApi')!.id, Stage: 'Prod' }]);
  assert.equal(project.resources.find((r) => r.logicalId === 'MyApiProdStage')!.type, 'AWS::ApiGateway::Stage');
  // The generated stage is the API's one stage, not a second one.
  assert.deepEqual(project.apis.find((a) => a.logicalId === 'MyApi')!.stages.map((s) => s.name), ['Prod']);
});

test('DependsOn naming a resource neither the file nor the SAM transform declares is a definition error', async () => {
  const file = await writeTemplate('Transform: AWS::Serverless-2016-10-31\nResources:\n  Topic:\n    Type: AWS::SNS::Topic\n    DependsOn: [MyApiProdStage]\n');
  await assert.rejects(loadDefinition(file), /#\/Resources\/Topic\/DependsOn\/0: DependsOn names an unknown resource "MyApiProdStage"/);
});

test('Auth.UsagePlan generates the plan, key and plan key resources SAM names, so Outputs can Ref them', async () => {
  // AWS SAM Developer Guide "ApiUsagePlan": PER_API -> <api>UsagePlan, <api>ApiKey, <api>UsagePlanKey;
  // SHARED -> ServerlessUsagePlan, ServerlessApiKey, ServerlessUsagePlanKey across the APIs that ask for it.
  const api = (name: string, mode: string, extra = '') => `  ${name}:
    Type: AWS::Serverless::Api
    Properties:
      StageName: ${name === 'Orders' ? 'Prod' : 'live'}
      Auth:
        ApiKeyRequired: true
        UsagePlan:
          CreateUsagePlan: ${mode}${extra}
      DefinitionBody: { swagger: "2.0", info: { title: ${name}, version: "1" }, paths: {} }
`;
  const file = await writeTemplate(
    `Transform: AWS::Serverless-2016-10-31
Resources:
${api('Orders', 'PER_API', '\n          Quota: { Limit: 5, Period: DAY }\n          UsagePlanName: orders-plan')}${api('Left', 'SHARED')}${api('Right', 'SHARED')}Outputs:
  OrdersKey: { Value: !Ref OrdersApiKey }
  SharedKey: { Value: !Ref ServerlessApiKey }
`,
  );
  const project = await loadDefinition(file);
  const resource = (id: string) => project.resources.find((r) => r.logicalId === id)!;
  const apiId = (id: string) => project.apis.find((a) => a.logicalId === id)!.id;
  assert.deepEqual(project.outputs['OrdersKey'], { value: resource('OrdersApiKey').physicalId });
  assert.deepEqual(project.outputs['SharedKey'], { value: resource('ServerlessApiKey').physicalId });
  assert.deepEqual(resource('OrdersUsagePlan').properties, { Quota: { Limit: 5, Period: 'DAY' }, UsagePlanName: 'orders-plan', ApiStages: [{ ApiId: apiId('Orders'), Stage: 'Prod' }] });
  assert.deepEqual(resource('OrdersUsagePlanKey').properties, { KeyId: resource('OrdersApiKey').physicalId, KeyType: 'API_KEY', UsagePlanId: resource('OrdersUsagePlan').physicalId });
  assert.equal(resource('OrdersApiKey').properties['Enabled'], true);
  assert.deepEqual(resource('ServerlessUsagePlan').properties['ApiStages'], [
    { ApiId: apiId('Left'), Stage: 'live' },
    { ApiId: apiId('Right'), Stage: 'live' },
  ]);
  assert.equal(resource('ServerlessUsagePlanKey').properties['KeyId'], resource('ServerlessApiKey').physicalId);
});
