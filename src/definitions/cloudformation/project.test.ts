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

test('cdk synth output: resource tree, methods, models, validators, authorizers, stage, CDK asset code', async () => {
  const file = fixture('cdk.out/ItemsStack.template.json');
  const project = await loadDefinition(file);
  assert.equal(project.stackName, 'ItemsStack');
  const api = project.apis[0]!;
  assert.equal(api.name, 'ItemsApi');
  assert.equal(api.logicalId, 'ItemsApi2F1B3C5D');
  assert.equal(api.id, project.resources.find((r) => r.logicalId === 'ItemsApi2F1B3C5D')!.physicalId);
  assert.deepEqual(api.routes.map((r) => r.routeKey), ['GET /', 'GET /items', 'POST /items', 'GET /items/{id}']);
  assert.equal(api.endpointType, 'REGIONAL');
  assert.deepEqual(api.binaryMediaTypes, ['application/octet-stream']);

  const table = project.resources.find((r) => r.logicalId === 'ItemsTable1D2E3F4A')!;
  assert.deepEqual(api.stages, [
    {
      name: 'prod',
      variables: { tableName: table.physicalId },
      methodSettings: {
        '*/*': { throttlingBurstLimit: 100, throttlingRateLimit: 50, dataTraceEnabled: false, loggingLevel: 'INFO' },
        '~1items~1{id}/GET': { cachingEnabled: true, cacheTtlInSeconds: 30 },
      },
      isDefault: false,
    },
  ]);

  const root = route(api, 'GET /');
  assert.equal(root.integration.type, 'MOCK');
  assert.deepEqual(root.methodResponses, { '200': { headers: { 'X-Service': true }, models: {} } });
  assert.equal(root.integration.responses[0]!.responseParameters['method.response.header.X-Service'], "'items'");

  const fn = project.functions[0]!;
  const list = route(api, 'GET /items');
  assert.equal(list.integration.uri, `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fn.arn}/invocations`);
  assert.deepEqual(list.requestParameters.querystring, { limit: false });

  const create = route(api, 'POST /items');
  assert.equal(create.authorizationType, 'CUSTOM');
  assert.equal(create.authorizerName, 'ItemsAuthorizer');
  assert.equal(create.apiKeyRequired, true);
  assert.deepEqual(create.requestModels, { 'application/json': 'Item' });
  assert.equal(create.requestValidator, 'body');
  assert.equal(create.integration.type, 'AWS');
  assert.equal(create.integration.uri, 'arn:aws:apigateway:us-east-1:dynamodb:action/PutItem');
  assert.equal(create.integration.passthroughBehavior, 'NEVER');
  assert.equal(create.integration.requestTemplates['application/json'], `{"TableName": "${table.physicalId}", "Item": {"id": {"S": "$context.requestId"}}}`);
  assert.deepEqual(create.integration.responses.map((r) => [r.selectionPattern, r.statusCode]), [['2\\d{2}', '201'], [undefined, '500']]);

  const get = route(api, 'GET /items/{id}');
  assert.equal(get.authorizationType, 'AWS_IAM');
  assert.equal(get.operationName, 'GetItem');
  assert.deepEqual(get.requestParameters.path, { id: true });
  assert.equal(get.integration.timeoutInMillis, 5000);

  assert.deepEqual(api.models['Item']!['required'], ['name']);
  assert.equal(api.authorizers['ItemsAuthorizer']!.resultTtlInSeconds, 120);
  assert.deepEqual(api.authorizers['ItemsAuthorizer']!.identitySource, ['method.request.header.Authorization']);
  assert.deepEqual(api.gatewayResponses['RESOURCE_NOT_FOUND'], { statusCode: '404', responseParameters: {}, responseTemplates: { 'application/json': '{"error":"nope"}' } });

  assert.equal(fn.codeDir, path.join(path.dirname(file), 'asset.5f3c1e'));
  assert.equal(fn.memorySize, 512);
  assert.equal(fn.environment['TABLE_ARN'], table.attributes['Arn']);
  assert.deepEqual(project.outputs['ItemsApiEndpoint'], { value: `https://${api.id}.execute-api.us-east-1.amazonaws.com/prod/` });
  // CDKMetadata is created in us-east-1 (its condition lists the region), unknown types load with Ref = logical id.
  assert.equal(project.resources.find((r) => r.logicalId === 'CDKMetadata')?.physicalId, 'CDKMetadata');
  const eu = await loadDefinition(file, { region: 'eu-central-1' });
  assert.equal(eu.resources.some((r) => r.logicalId === 'CDKMetadata'), false);
});

test('ApiGatewayV2: routes, integrations, JWT authorizer, stage, VPC link targets, quick create, domains', async () => {
  const project = await loadDefinition(fixture('apigwv2.yaml'), { awsEndpoint: 'http://localhost:4566/' });
  const api = project.apis.find((a) => a.name === 'orders-http')!;
  assert.equal(api.protocol, 'HTTP');
  assert.deepEqual(api.routes.map((r) => r.routeKey), ['GET /orders/{id}', 'POST /orders', '$default']);
  assert.deepEqual(api.cors, {
    allowOrigins: ['https://app.example.com'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['content-type'],
    exposeHeaders: ['x-request-id'],
    maxAge: 600,
    allowCredentials: true,
  });
  assert.deepEqual(api.stages, [
    {
      name: '$default',
      variables: { mode: 'local' },
      methodSettings: { '*/*': { throttlingBurstLimit: 50, throttlingRateLimit: 25 }, '~1orders~1{id}/GET': { throttlingBurstLimit: 5 } },
      isDefault: true,
    },
  ]);

  const get = route(api, 'GET /orders/{id}');
  assert.equal(get.authorizationType, 'JWT');
  assert.equal(get.authorizerName, 'jwt');
  assert.deepEqual(get.authorizationScopes, ['orders/read']);
  assert.equal(get.integration.uri, 'arn:aws:lambda:us-east-1:000000000000:function:orders');
  assert.equal(get.integration.payloadFormatVersion, '2.0');
  assert.equal(get.integration.timeoutInMillis, 10000);

  const post = route(api, 'POST /orders');
  assert.equal(post.integration.integrationSubtype, 'SQS-SendMessage');
  assert.equal(post.integration.requestParameters['QueueUrl'], 'http://localhost:4566/000000000000/orders.fifo');
  assert.equal(post.integration.credentials, 'arn:aws:iam::000000000000:role/service/orders-role');

  const fallback = route(api, '$default');
  assert.equal(fallback.integration.connectionType, 'VPC_LINK');
  assert.deepEqual(fallback.integration.responseParameters, { '404': { 'overwrite:statuscode': '410' } });
  assert.deepEqual(fallback.integration.tlsConfig, { serverNameToVerify: 'internal.example.com' });

  const pool = project.resources.find((r) => r.logicalId === 'Users')!;
  const client = project.resources.find((r) => r.logicalId === 'UsersClient')!;
  assert.deepEqual(api.authorizers['jwt']!.jwtConfiguration, { issuer: pool.attributes['ProviderURL'], audience: [client.physicalId] });

  const httpLink = project.vpcLinks.find((l) => l.logicalId === 'HttpVpcLink')!;
  assert.equal(httpLink.id, fallback.integration.connectionId);
  assert.deepEqual(httpLink.targets, ['http://127.0.0.1:8080', 'http://127.0.0.2:8081']);
  assert.deepEqual(httpLink.healthCheck, { path: '/healthz', intervalSeconds: 10, healthyThreshold: 5, unhealthyThreshold: 2 });
  assert.deepEqual(project.vpcLinks.find((l) => l.logicalId === 'RestLink')!.targets, ['http://10.0.0.5:9000']);

  const quick = project.apis.find((a) => a.name === 'quick')!;
  assert.deepEqual(quick.routes.map((r) => [r.routeKey, r.integration.type, r.integration.payloadFormatVersion]), [['$default', 'AWS_PROXY', '2.0']]);
  assert.deepEqual(quick.stages.map((s) => s.name), ['$default']);

  // WebSocket APIs are not served, and their `$connect` route is no problem.
  assert.equal(project.apis.some((a) => a.name === 'sockets'), false);
  assert.deepEqual(project.domains, [{ domainName: 'orders.example.com', mappings: [{ basePath: 'v1', apiId: api.id, stage: '$default' }] }]);
  assert.deepEqual(project.outputs['Url'], { value: `https://${api.id}.execute-api.us-east-1.amazonaws.com` });
});

test('a REST API without Deployment or Stage is served on the --stage stage (default dev)', async () => {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-defs-'));
  const file = path.join(dir, 'bare.yaml');
  await writeFile(
    file,
    [
      'Resources:',
      '  Api:',
      '    Type: AWS::ApiGateway::RestApi',
      '    Properties:',
      '      Body:',
      '        swagger: "2.0"',
      '        info: { title: bare, version: "1" }',
      '        paths:',
      '          /ping:',
      '            get:',
      '              x-amazon-apigateway-integration: { type: mock }',
    ].join('\n'),
  );
  assert.deepEqual((await loadDefinition(file)).apis[0]!.stages.map((s) => s.name), ['dev']);
  assert.deepEqual((await loadDefinition(file, { stage: 'local' })).apis[0]!.stages.map((s) => s.name), ['local']);
  assert.equal((await loadDefinition(file)).apis[0]!.name, 'bare');
});
