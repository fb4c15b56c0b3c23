/** REST API behaviour through a real gatehouse: HTTP in, HTTP out. */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, mockOperation, type TestGateway } from '../support/gateway.js';
import { startUpstream, type TestUpstream } from '../support/upstream.js';

let upstream: TestUpstream;
let gw: TestGateway;

before(async () => {
  upstream = await startUpstream((req, res, body) => {
    if (req.url?.startsWith('/slow')) {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"slow":true}');
      }, 400);
      return;
    }
    const status = Number(/^\/status\/(\d{3})/.exec(req.url ?? '')?.[1] ?? 200);
    res.writeHead(status, { 'content-type': 'application/json', 'x-backend': 'yes' });
    res.end(JSON.stringify({ method: req.method, url: req.url, body, contentType: req.headers['content-type'] ?? null }));
  });
  gw = await startTestGateway({
    openapi: '3.0.1',
    info: { title: 'rest-behaviour', version: '1' },
    'x-amazon-apigateway-gateway-responses': {
      DEFAULT_4XX: {
        responseParameters: { 'gatewayresponse.header.x-family': "'4xx'" },
        responseTemplates: { 'application/json': '{"error": $context.error.messageString, "type": "$context.error.responseType"}' },
      },
      DEFAULT_5XX: { statusCode: '599' },
    },
    'x-amazon-apigateway-request-validators': { body: { validateRequestBody: true, validateRequestParameters: false } },
    paths: {
      '/slow': {
        get: {
          responses: {},
          'x-amazon-apigateway-integration': {
            type: 'http_proxy',
            httpMethod: 'GET',
            uri: `${upstream.url}/slow`,
            timeoutInMillis: 100,
          },
        },
      },
      '/dead': {
        get: {
          responses: {},
          'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: 'http://127.0.0.1:9/nothing' },
        },
      },
      '/never': {
        post: {
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': {
            type: 'http',
            httpMethod: 'POST',
            uri: `${upstream.url}/never`,
            passthroughBehavior: 'never',
            requestTemplates: { 'application/json': '{"wrapped": $input.json(\'$\')}' },
            responses: { default: { statusCode: '200' } },
          },
        },
      },
      '/no-templates': {
        post: {
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': {
            type: 'http',
            httpMethod: 'POST',
            uri: `${upstream.url}/nt`,
            passthroughBehavior: 'when_no_templates',
            requestTemplates: { 'application/json': '{"a": 1}' },
            responses: { default: { statusCode: '200' } },
          },
        },
      },
      '/select/{code}': {
        get: {
          parameters: [{ name: 'code', in: 'path', required: true, schema: { type: 'string' } }],
          responses: {
            '200': { description: 'ok' },
            '400': { description: 'client error', headers: { 'x-from': { schema: { type: 'string' } } } },
            '502': { description: 'server error' },
          },
          'x-amazon-apigateway-integration': {
            type: 'http',
            httpMethod: 'GET',
            uri: `${upstream.url}/status/{code}`,
            requestParameters: { 'integration.request.path.code': 'method.request.path.code' },
            responses: {
              '4\\d{2}': {
                statusCode: '400',
                responseParameters: { 'method.response.header.x-from': 'integration.response.header.x-backend' },
                responseTemplates: { 'application/json': '{"client error": $input.json(\'$.url\')}' },
              },
              '5\\d{2}': { statusCode: '502' },
              default: { statusCode: '200' },
            },
          },
        },
      },
      '/override': {
        get: mockOperation('#set($context.responseOverride.status = 418)#set($context.responseOverride.header.x-teapot = "yes"){"tea": true}'),
      },
      '/validated': {
        post: {
          'x-amazon-apigateway-request-validator': 'body',
          requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Thing' } } } },
          ...mockOperation('{"ok": true}'),
        },
      },
      '/stage-vars': {
        get: mockOperation('{"stage": "$context.stage", "var": "$stageVariables.color"}'),
      },
    },
    components: { schemas: { Thing: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } } } },
  });
});

after(async () => {
  await gw?.close();
  await upstream?.close();
});

// AWS docs "Amazon API Gateway quotas" (integration timeout) and "Gateway response types"
// (INTEGRATION_TIMEOUT 504); body "Endpoint request timed out" as recorded from AWS.
test('a backend slower than timeoutInMillis gives 504 Endpoint request timed out, and the gateway keeps serving', async () => {
  const res = await gw.call('GET', '/dev/slow');
  assert.equal(res.status, 599, 'DEFAULT_5XX override changes every 5XX status');
  assert.deepEqual(res.json(), { message: 'Endpoint request timed out' });
  const next = await gw.call('GET', '/dev/select/200');
  assert.equal(next.status, 200);
});

test('an unreachable backend is an integration failure (5XX) and the gateway keeps serving', async () => {
  const res = await gw.call('GET', '/dev/dead');
  assert.equal(res.status, 599);
  assert.deepEqual(res.json(), { message: 'Internal server error' });
  assert.equal(res.headers['x-amzn-errortype'], 'InternalServerErrorException');
});

// AWS docs "Method request data passthrough behaviors": NEVER rejects unmapped content types
// with 415 Unsupported Media Type; WHEN_NO_TEMPLATES rejects them once a template exists.
test('passthrough NEVER and WHEN_NO_TEMPLATES reject unmapped content types with 415', async () => {
  const never = await gw.call('POST', '/dev/never', { headers: { 'content-type': 'text/plain' }, body: 'x' });
  assert.equal(never.status, 415);
  assert.deepEqual(never.json(), { error: 'Unsupported Media Type', type: 'UNSUPPORTED_MEDIA_TYPE' });
  assert.equal(never.headers['x-family'], '4xx');
  const mapped = await gw.call('POST', '/dev/never', { headers: { 'content-type': 'application/json' }, body: '{"k":1}' });
  assert.equal(mapped.status, 200);
  assert.deepEqual(JSON.parse((mapped.json() as { body: string }).body), { wrapped: { k: 1 } });
  const noTemplates = await gw.call('POST', '/dev/no-templates', { headers: { 'content-type': 'text/csv' }, body: 'a,b' });
  assert.equal(noTemplates.status, 415);
});

// AWS docs "Integration responses": selectionPattern is a regex over the backend status; the
// default response catches the rest; response parameters map backend headers.
test('integration responses are selected by status regex and map headers', async () => {
  const notFound = await gw.call('GET', '/dev/select/404');
  assert.equal(notFound.status, 400);
  assert.equal(notFound.headers['x-from'], 'yes');
  assert.deepEqual(notFound.json(), { 'client error': '/status/404' });
  const serverError = await gw.call('GET', '/dev/select/503');
  assert.equal(serverError.status, 502);
  const created = await gw.call('GET', '/dev/select/201');
  assert.equal(created.status, 200);
  assert.equal(created.headers['content-type'], 'application/json');
});

// AWS docs "Override your API's request and response parameters and status codes".
test('$context.responseOverride sets the status and headers', async () => {
  const res = await gw.call('GET', '/dev/override');
  assert.equal(res.status, 418);
  assert.equal(res.headers['x-teapot'], 'yes');
  assert.deepEqual(res.json(), { tea: true });
});

// AWS docs "Request validation": failures are BAD_REQUEST_BODY; a DEFAULT_4XX override applies.
test('body validation failures use the DEFAULT_4XX override and expose the validation error', async () => {
  const bad = await gw.call('POST', '/dev/validated', { headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(bad.status, 400);
  assert.deepEqual(bad.json(), { error: 'Invalid request body', type: 'BAD_REQUEST_BODY' });
  const good = await gw.call('POST', '/dev/validated', { headers: { 'content-type': 'application/json' }, body: '{"name":"x"}' });
  assert.equal(good.status, 200);
});

// AWS docs "Quotas": 10 MB payload; REQUEST_TOO_LARGE is 413.
test('a payload over 10 MB gets 413', async () => {
  const res = await gw.call('POST', '/dev/validated', { headers: { 'content-type': 'application/json' }, body: Buffer.alloc(10 * 1024 * 1024 + 1, 32) });
  assert.equal(res.status, 413);
  assert.deepEqual(res.json(), { error: 'Request Too Long', type: 'REQUEST_TOO_LARGE' });
});

test('every response carries the request id headers API Gateway adds', async () => {
  const res = await gw.call('GET', '/dev/override');
  assert.match(String(res.headers['x-amzn-requestid']), /^[0-9a-f-]{36}$/);
  assert.ok(res.headers['x-amz-apigw-id']);
  assert.match(String(res.headers['x-amzn-trace-id']), /^Root=1-/);
});

test('an unknown stage is Missing Authentication Token, with the API\'s gateway responses', async () => {
  const res = await gw.call('GET', '/prod/override');
  assert.equal(res.status, 403);
  assert.equal(res.headers['x-amzn-errortype'], 'MissingAuthenticationTokenException');
  assert.deepEqual(res.json(), { error: 'Missing Authentication Token', type: 'MISSING_AUTHENTICATION_TOKEN' });
});
