import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadDefinition } from '../index.js';
import type { Api, Route } from '../model.js';
import { fixture } from '../testing.js';

const route = (api: Api, key: string): Route => {
  const found = api.routes.find((r) => r.routeKey === key);
  assert.ok(found, `route ${key}`);
  return found;
};

test('OpenAPI 3 REST export: routes, method requests, integrations, API settings', async () => {
  const project = await loadDefinition(fixture('openapi3-rest.yaml'));
  assert.equal(project.apis.length, 1);
  const api = project.apis[0]!;
  assert.equal(api.protocol, 'REST');
  assert.equal(api.name, 'PetStore');
  assert.match(api.id, /^[a-z0-9]{10}$/);
  assert.deepEqual(api.stages, [{ name: 'dev', variables: {}, methodSettings: {}, isDefault: false }]);
  assert.deepEqual(
    api.routes.map((r) => r.routeKey),
    ['GET /pets', 'POST /pets', 'OPTIONS /pets', 'GET /pets/{petId}', 'DELETE /pets/{petId}', 'ANY /{proxy+}'],
  );

  const list = route(api, 'GET /pets');
  assert.deepEqual(list.requestParameters, { path: {}, querystring: { type: false, page: true }, header: {} });
  assert.equal(list.requestValidator, 'params-only');
  assert.equal(list.operationName, 'ListPets');
  assert.deepEqual(list.methodResponses['200'], { headers: { 'Access-Control-Allow-Origin': false }, models: { 'application/json': 'Pets' } });
  assert.equal(list.integration.type, 'HTTP');
  assert.equal(list.integration.timeoutInMillis, 10000);
  assert.equal(list.integration.passthroughBehavior, 'WHEN_NO_MATCH');
  // Declaration order is kept; `default` has no selection pattern.
  assert.deepEqual(
    list.integration.responses.map((r) => [r.selectionPattern, r.statusCode]),
    [['4\\d{2}', '400'], [undefined, '200']],
  );
  assert.equal(list.source.pointer, '/paths/~1pets/get');

  const create = route(api, 'POST /pets');
  assert.deepEqual(create.requestModels, { 'application/json': 'NewPet' });
  assert.equal(create.requestValidator, 'all', 'the document default validator');
  assert.equal(create.apiKeyRequired, true);
  assert.equal(create.authorizationType, 'CUSTOM');
  assert.equal(create.authorizerName, 'MyTokenAuthorizer');
  assert.equal(create.integration.type, 'AWS_PROXY');
  assert.equal(create.integration.timeoutInMillis, 29000);
  assert.equal(create.integration.payloadFormatVersion, '1.0');
  assert.equal(create.integration.contentHandling, 'CONVERT_TO_TEXT');

  const get = route(api, 'GET /pets/{petId}');
  assert.deepEqual(get.requestParameters.path, { petId: true });
  assert.equal(get.authorizationType, 'COGNITO_USER_POOLS');
  assert.deepEqual(get.authorizationScopes, ['pets/read']);
  assert.equal(get.integration.type, 'AWS');
  assert.equal(get.integration.credentials, 'arn:aws:iam::000000000000:role/pets-table-read');
  assert.equal(get.integration.passthroughBehavior, 'WHEN_NO_TEMPLATES');

  const remove = route(api, 'DELETE /pets/{petId}');
  assert.equal(remove.authorizationType, 'AWS_IAM');
  assert.equal(remove.integration.connectionType, 'VPC_LINK');
  assert.equal(remove.integration.connectionId, '${stageVariables.vpcLinkId}');

  const proxy = route(api, 'ANY /{proxy+}');
  assert.equal(proxy.method, 'ANY');
  assert.deepEqual(proxy.requestParameters.path, { proxy: true });

  assert.deepEqual(Object.keys(api.models).sort(), ['NewPet', 'NewPetResponse', 'Pet', 'Pets']);
  assert.deepEqual(api.models['Pets'], { type: 'array', items: { $ref: '#/components/schemas/Pet' } });
  assert.deepEqual(api.requestValidators['params-only'], { validateRequestBody: false, validateRequestParameters: true });
  assert.deepEqual(api.gatewayResponses['MISSING_AUTHENTICATION_TOKEN'], { statusCode: '404', responseParameters: {}, responseTemplates: {} });
  assert.equal(api.gatewayResponses['DEFAULT_4XX']!.responseParameters['gatewayresponse.header.Access-Control-Allow-Origin'], "'*'");
  assert.deepEqual(api.binaryMediaTypes, ['image/png', 'application/octet-stream']);
  assert.equal(api.minimumCompressionSize, 1024);
  assert.equal(api.endpointType, 'REGIONAL');
  assert.equal(api.apiKeySource, 'HEADER');
  assert.ok(api.policy);

  const token = api.authorizers['MyTokenAuthorizer']!;
  assert.equal(token.type, 'token');
  assert.deepEqual(token.identitySource, ['method.request.header.X-Token']);
  assert.equal(token.resultTtlInSeconds, 60);
  assert.equal(token.identityValidationExpression, '^Bearer .+$');
  const cognito = api.authorizers['CognitoAuth']!;
  assert.equal(cognito.resultTtlInSeconds, 300, 'REST default TTL');
  assert.deepEqual(cognito.providerArns, ['arn:aws:cognito-idp:us-east-1:000000000000:userpool/us-east-1_AbCdEfGhI']);
  assert.deepEqual(project.resources, []);
});

test('the --stage option names the stage of an OpenAPI REST API', async () => {
  const project = await loadDefinition(fixture('openapi3-rest.yaml'), { stage: 'test' });
  assert.deepEqual(project.apis[0]!.stages.map((s) => s.name), ['test']);
});

test('Swagger 2 export: body parameters with consumes, produces, any-method, cache keys', async () => {
  const project = await loadDefinition(fixture('swagger2-rest.json'));
  const api = project.apis[0]!;
  assert.equal(api.protocol, 'REST');
  const place = route(api, 'POST /orders');
  assert.deepEqual(place.requestModels, { 'application/json': 'Order', 'application/x-www-form-urlencoded': 'Order' });
  assert.deepEqual(place.requestParameters.header, { 'X-Request-Id': false });
  assert.deepEqual(place.methodResponses['200'], { headers: { 'X-Request-Id': false }, models: { 'application/json': 'Queued' } });
  assert.equal(place.integration.passthroughBehavior, 'NEVER');
  assert.equal(place.integration.requestParameters['integration.request.header.Content-Type'], "'application/x-www-form-urlencoded'");

  // An inline response schema becomes a model named after the operation.
  const list = route(api, 'GET /orders');
  assert.deepEqual(list.methodResponses['200']!.models, { 'application/json': 'GetOrders200Response' });
  assert.deepEqual(api.models['GetOrders200Response'], { type: 'array', items: { $ref: '#/definitions/Order' } });

  const any = route(api, 'ANY /orders/{id}');
  assert.equal(any.integration.type, 'HTTP_PROXY');
  assert.equal(any.integration.httpMethod, 'ANY');
  assert.deepEqual(any.integration.cacheKeyParameters, ['method.request.path.id']);
  assert.equal(any.integration.cacheNamespace, 'orders');
  assert.deepEqual(api.binaryMediaTypes, ['*/*']);
});

test('HTTP API export: $default route, JWT and Lambda authorizers, CORS, shared integrations, subtypes', async () => {
  const project = await loadDefinition(fixture('openapi3-http.yaml'), { stage: 'ignored-for-http' });
  const api = project.apis[0]!;
  assert.equal(api.protocol, 'HTTP');
  assert.deepEqual(api.stages, [{ name: '$default', variables: {}, methodSettings: {}, isDefault: true }]);
  assert.deepEqual(api.cors, {
    allowOrigins: ['https://app.example.com'],
    allowMethods: ['GET', 'POST'],
    allowHeaders: ['authorization', 'content-type'],
    exposeHeaders: [],
    maxAge: 300,
    allowCredentials: true,
  });
  assert.equal(api.endpointType, 'REGIONAL');

  const notes = route(api, 'GET /notes');
  assert.equal(notes.authorizationType, 'JWT');
  assert.deepEqual(notes.authorizationScopes, ['notes/read']);
  assert.equal(notes.integration.type, 'AWS_PROXY');
  assert.equal(notes.integration.payloadFormatVersion, '2.0', 'HTTP API Lambda default');
  assert.equal(notes.integration.timeoutInMillis, 30000, 'HTTP API default');

  const queue = route(api, 'POST /notes');
  assert.equal(queue.integration.integrationSubtype, 'SQS-SendMessage');
  assert.equal(queue.integration.uri, '');
  assert.equal(queue.integration.requestParameters['MessageBody'], '$request.body');

  const one = route(api, 'GET /notes/{id}');
  assert.deepEqual(one.integration.responseParameters, { '200': { 'append:header.x-served-by': 'gatehouse' } });
  assert.equal(one.integration.requestParameters['overwrite:header.x-note-id'], '$request.path.id');

  const fallback = route(api, '$default');
  assert.equal(fallback.path, '$default');
  assert.equal(fallback.method, 'ANY');
  assert.equal(fallback.authorizationType, 'CUSTOM');
  assert.equal(fallback.authorizerName, 'lambda-auth');

  const jwt = api.authorizers['jwt-auth']!;
  assert.deepEqual(jwt.jwtConfiguration, { issuer: 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI', audience: ['notes-client'] });
  assert.deepEqual(jwt.identitySource, ['$request.header.Authorization']);
  const lambda = api.authorizers['lambda-auth']!;
  assert.deepEqual(lambda.identitySource, ['$request.header.Authorization', '$request.querystring.token']);
  assert.equal(lambda.payloadFormatVersion, '2.0');
  assert.equal(lambda.enableSimpleResponses, true);
});

test('ids are stable across loads of the same definition', async () => {
  const a = await loadDefinition(fixture('openapi3-rest.yaml'));
  const b = await loadDefinition(fixture('openapi3-rest.yaml'));
  assert.equal(a.apis[0]!.id, b.apis[0]!.id);
});
