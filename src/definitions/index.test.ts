import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DefinitionError, loadDefinition } from './index.js';
import { fixture } from './testing.js';

async function problemsOf(file: string, options = {}): Promise<DefinitionError> {
  try {
    await loadDefinition(file, options);
  } catch (error) {
    assert.ok(error instanceof DefinitionError, String(error));
    return error;
  }
  assert.fail(`${file} loaded without problems`);
}

const summary = (error: DefinitionError): [string, string][] => error.problems.map((p) => [p.pointer, p.message]);

async function temp(name: string, text: string): Promise<string> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gatehouse-defs-'));
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

test('every problem of a broken OpenAPI file at once, each with file, pointer, message and line', async () => {
  const file = fixture('broken-openapi.yaml');
  const error = await problemsOf(file);
  assert.deepEqual(summary(error), [
    ['/paths/~1no-integration/get', 'no integration defined for method GET /no-integration (x-amazon-apigateway-integration is missing)'],
    ['/paths/~1bad-type/get/x-amazon-apigateway-integration/type', 'must be one of MOCK, HTTP, HTTP_PROXY, AWS, AWS_PROXY, found "lambda"'],
    ['/paths/~1http-without-uri/get/x-amazon-apigateway-integration', 'uri is required for a HTTP integration'],
    ['/paths/~1items~1{id', `path "/items/{id": segment "{id" is malformed: a path parameter must be a whole segment, '{name}' or '{name+}'`],
    ['/paths/~1pattern/get/x-amazon-apigateway-integration/timeoutInMillis', 'must be between 50 and 29000, found 40000'],
    ['/paths/~1pattern/get/x-amazon-apigateway-integration/responses/(', 'invalid selection pattern "(": Invalid regular expression: /(/: Unterminated group'],
    ['/paths/~1pattern/get/x-amazon-apigateway-integration/responses/default/statusCode', 'no method response is declared for status code 500'],
    ['/paths/~1secured/get/security/0/nobody', "security scheme 'nobody' is not defined"],
    ['/paths/~1{proxy+}~1tail', 'path "/{proxy+}/tail": segment "{proxy+}" is greedy but a greedy path parameter must be the last segment'],
    ['/paths/~1validator/post/requestBody/content/application~1json/schema/$ref', "model 'Missing' is not defined"],
    ['/paths/~1validator/post/x-amazon-apigateway-request-validator', "request validator 'strict' is not defined"],
    ['/components/schemas/Pet/properties/owner/$ref', "$ref to a missing model 'Owner'"],
  ]);
  assert.ok(error.problems.every((p) => p.file === file && typeof p.line === 'number'));
  assert.deepEqual([error.problems[0]!.line, error.problems[0]!.column], [11, 5]);
  // One line per problem: `file#/json/pointer: what is wrong (line L, column C)`.
  const lines = error.message.split('\n');
  assert.equal(lines.length, error.problems.length);
  assert.match(lines[0]!, /broken-openapi\.yaml#\/paths\/~1no-integration\/get: no integration defined for method GET \/no-integration .* \(line 11, column 5\)$/);
});

test('every problem of a broken template at once', async () => {
  const error = await problemsOf(fixture('broken-template.yaml'));
  assert.deepEqual(summary(error), [
    ['/Parameters/NoDefault', 'parameter NoDefault has no Default and no override was given'],
    ['/Resources/Fn/Properties/Role/Fn::GetAtt', 'Fn::GetAtt names an unknown resource "Missing"'],
    ['/Resources/Fn/Properties/Environment/Variables/A/Ref', 'unknown reference "Nowhere": not a parameter, resource or pseudo parameter'],
    ['/Resources/Fn/Properties/Environment/Variables/B/Fn::GetAtt', 'Queue (AWS::SQS::Queue) has no attribute "Colour" for Fn::GetAtt'],
    ['/Resources/Fn/Properties/Environment/Variables/C/Fn::If/0', 'condition "IsHuge" is not defined'],
    ['/Resources/Fn/Properties/Environment/Variables/D/Fn::Select/0', 'Fn::Select index 5 is out of range (2 items)'],
    [
      '/Resources/Queue/Properties/QueueName',
      'circular dependency: Queue.Properties.QueueName -> Fn::GetAtt Topic.TopicName -> name of Topic -> Topic.Properties.TopicName -> Fn::GetAtt Queue.QueueName -> name of Queue -> Queue.Properties.QueueName',
    ],
    ['/Resources/NoIntegration/Properties', 'no integration defined for method GET /'],
    ['/Resources/BadRoute/Properties/RouteKey', `route key "GET orders" must be '$default' or 'METHOD /path'`],
    ['/Resources/BadRoute/Properties/Target', 'integration "abc" is not an integration of this template'],
  ]);
});

test('every problem of a broken SAM template at once', async () => {
  const error = await problemsOf(fixture('broken-sam.yaml'));
  assert.deepEqual(summary(error), [
    ['/Globals/Function/FunctionName', "'FunctionName' is not a supported property of Globals.Function"],
    ['/Globals/Queue', "'Queue' is not a supported Globals section (Function, Api, HttpApi, SimpleTable, StateMachine, LayerVersion)"],
    ['/Resources/One/Properties/Events/Wrong/Properties/RestApiId', 'RestApiId must refer to an AWS::Serverless::Api resource of this template'],
    ['/Resources/Two/Properties/Events/Get', "API method 'get' defined multiple times for path '/things'"],
    ['/Resources/Api/Properties/Auth/DefaultAuthorizer', "DefaultAuthorizer 'Missing' is not one of the API's Authorizers"],
    ['/Resources/Two/Properties/Events/Bad/Properties/Auth/Authorizer', "Authorizer 'Nope' is not one of the API's Authorizers"],
    ['/Resources/Two/Properties/Events/Bad/Properties/Path', 'path "/x/{proxy+}/y": segment "{proxy+}" is greedy but a greedy path parameter must be the last segment'],
    ['/Resources/One/Properties/Timeout', 'must be between 1 and 900, found 901'],
  ]);
});

test('invalid JSON and YAML are reported with their line', async () => {
  const json = await problemsOf(fixture('broken-syntax.json'));
  assert.equal(json.problems.length, 1);
  assert.equal(json.problems[0]!.pointer, '');
  assert.match(json.problems[0]!.message, /^invalid JSON: /);
  assert.equal(json.problems[0]!.line, 3);

  const yaml = await problemsOf(fixture('broken-syntax.yaml'));
  assert.ok(yaml.problems.length >= 1);
  assert.match(yaml.problems[0]!.message, /^invalid YAML: /);
  assert.equal(yaml.problems[0]!.line, 5);
});

test('format detection: OpenAPI, Swagger, templates by Resources / AWSTemplateFormatVersion / Transform', async () => {
  const openapi = await loadDefinition(await temp('a.json', JSON.stringify({ openapi: '3.0.1', info: { title: 't', version: '1' }, paths: {} })));
  assert.equal(openapi.apis[0]!.protocol, 'REST');
  const swagger = await loadDefinition(await temp('b.yaml', "swagger: '2.0'\ninfo: { title: t, version: '1' }\npaths: {}\n"));
  assert.equal(swagger.apis.length, 1);
  const template = await loadDefinition(await temp('c.yml', 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n  Q: { Type: "AWS::SQS::Queue" }\n'));
  assert.equal(template.resources[0]!.type, 'AWS::SQS::Queue');
  assert.equal(template.stackName, 'c');

  const unknown = await problemsOf(await temp('d.yaml', 'hello: world\n'));
  assert.match(unknown.problems[0]!.message, /not a definition gatehouse knows/);
  const version = await problemsOf(await temp('e.yaml', 'openapi: 4.0.0\npaths: {}\n'));
  assert.match(version.problems[0]!.message, /not an OpenAPI document/);
});

test('a missing file is a problem, not a crash', async () => {
  const error = await problemsOf('/nonexistent/dir/template.yaml');
  assert.match(error.problems[0]!.message, /^file not found: /);
});

test('options: stack name, region and account shape ARNs and ids', async () => {
  const file = await temp('stack.yaml', 'Resources:\n  Fn: { Type: "AWS::Lambda::Function", Properties: { Runtime: nodejs20.x, Handler: i.h, Code: { ZipFile: "x" } } }\n');
  const project = await loadDefinition(file, { stackName: 'prod-stack', region: 'eu-west-1', accountId: '111122223333' });
  assert.equal(project.region, 'eu-west-1');
  assert.equal(project.accountId, '111122223333');
  assert.match(project.functions[0]!.arn, /^arn:aws:lambda:eu-west-1:111122223333:function:prod-stack-Fn-[A-Z0-9]{10}$/);
});

test('REST integration mapping expressions must name declared method request parameters', async () => {
  const file = await temp(
    'mapping.yaml',
    [
      "swagger: '2.0'",
      'info: { title: t, version: "1" }',
      'paths:',
      '  /a/{id}:',
      '    get:',
      '      parameters: [{ in: query, name: q, type: string }]',
      '      responses: { "200": { description: ok } }',
      '      x-amazon-apigateway-integration:',
      '        type: http',
      '        httpMethod: GET',
      '        uri: https://example.com/{id}',
      '        requestParameters:',
      '          integration.request.path.id: method.request.path.id',
      '          integration.request.querystring.q: method.request.querystring.q',
      '          integration.request.header.x: method.request.header.x',
      '          request.header.y: "\'static\'"',
      '        responses:',
      '          default:',
      '            statusCode: "200"',
      '            responseParameters:',
      "              method.response.header.X-Undeclared: \"'v'\"",
    ].join('\n'),
  );
  const error = await problemsOf(file);
  assert.deepEqual(summary(error), [
    ['/paths/~1a~1{id}/get/x-amazon-apigateway-integration/requestParameters/integration.request.header.x', 'invalid mapping expression: method.request.header.x is not a declared method request parameter'],
    ['/paths/~1a~1{id}/get/x-amazon-apigateway-integration/requestParameters/request.header.y', 'invalid mapping target "request.header.y": expected integration.request.{header|querystring|path}.<name>'],
    ['/paths/~1a~1{id}/get/x-amazon-apigateway-integration/responses/default/responseParameters/method.response.header.X-Undeclared', 'invalid mapping expression: method response 200 does not declare the header X-Undeclared'],
  ]);
});

test('HTTP APIs accept only proxy integrations and route keys `METHOD /path`', async () => {
  const file = await temp(
    'http.yaml',
    [
      'Resources:',
      '  Api: { Type: "AWS::ApiGatewayV2::Api", Properties: { Name: a, ProtocolType: HTTP } }',
      '  Mock: { Type: "AWS::ApiGatewayV2::Integration", Properties: { ApiId: !Ref Api, IntegrationType: MOCK } }',
      '  Route: { Type: "AWS::ApiGatewayV2::Route", Properties: { ApiId: !Ref Api, RouteKey: "get /x", Target: !Sub "integrations/${Mock}" } }',
    ].join('\n'),
  );
  const error = await problemsOf(file);
  assert.deepEqual(summary(error), [
    ['/Resources/Mock/Properties/IntegrationType', 'HTTP APIs support AWS_PROXY and HTTP_PROXY integrations, not MOCK'],
    ['/Resources/Route/Properties/RouteKey', 'route key "get /x": method must be one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, ANY (uppercase)'],
  ]);
});

