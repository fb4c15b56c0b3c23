/** HTTP API (v2) behaviour through a real gatehouse: $default stage, routing, CORS, parameter mapping. */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { startUpstream, type TestUpstream } from '../support/upstream.js';

let upstream: TestUpstream;
let gw: TestGateway;

before(async () => {
  upstream = await startUpstream((req, res, body) => {
    if (req.url?.startsWith('/slow')) {
      setTimeout(() => res.end('late'), 1000);
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'x-upstream-header': 'u' });
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
  });
  const proxy = (uri: string, extra: Record<string, unknown> = {}) => ({
    responses: {},
    'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'ANY', uri, payloadFormatVersion: '1.0', ...extra },
  });
  gw = await startTestGateway({
    openapi: '3.0.1',
    info: { title: 'http-api', version: '1' },
    'x-amazon-apigateway-cors': {
      allowOrigins: ['https://app.example.com'],
      allowMethods: ['GET', 'POST'],
      allowHeaders: ['content-type', 'x-custom'],
      exposeHeaders: ['x-upstream-header'],
      maxAge: 300,
      allowCredentials: false,
    },
    paths: {
      '/pets/{id}': {
        get: proxy(`${upstream.url}/backend/pets/{id}`, {
          requestParameters: {
            'append:querystring.source': 'gateway',
            'overwrite:header.x-request-id': '$context.requestId',
            'remove:header.x-secret': "''",
          },
          responseParameters: { '200': { 'overwrite:statuscode': '201', 'append:header.x-mapped': '$response.header.x-upstream-header' } },
        }),
      },
      '/slow': { get: proxy(`${upstream.url}/slow`, { timeoutInMillis: 100 }) },
      '/rewrite/{proxy+}': {
        'x-amazon-apigateway-any-method': proxy(`${upstream.url}/ignored`, {
          requestParameters: { 'overwrite:path': '/v2/$request.path.proxy' },
        }),
      },
    },
  });
});

after(async () => {
  await gw?.close();
  await upstream?.close();
});

// AWS docs "Working with routes for HTTP APIs": no matching route gives 404 {"message":"Not Found"}.
test('an unknown route is 404 Not Found, served at the $default stage without a prefix', async () => {
  const res = await gw.call('GET', '/nowhere');
  assert.equal(res.status, 404);
  assert.deepEqual(res.json(), { message: 'Not Found' });
  assert.ok(res.headers['apigw-requestid']);
});

// AWS docs "Transform API requests and responses for HTTP APIs": append/overwrite/remove on
// querystring and header, $context variables, response mapping of status and headers.
test('request and response parameter mapping', async () => {
  const res = await gw.call('GET', '/pets/7?x=1', { headers: { 'x-secret': 's', origin: 'https://app.example.com' } });
  assert.equal(res.status, 201);
  assert.equal(res.headers['x-mapped'], 'u');
  const seen = res.json() as { url: string; headers: Record<string, string> };
  assert.equal(seen.url, '/backend/pets/7?x=1&source=gateway');
  assert.match(seen.headers['x-request-id']!, /^[0-9a-f-]{36}$/);
  assert.equal(seen.headers['x-secret'], undefined);
  assert.equal(res.headers['access-control-allow-origin'], 'https://app.example.com');
  assert.equal(res.headers['access-control-expose-headers'], 'x-upstream-header');
});

test('overwrite:path replaces the path sent to the backend', async () => {
  const res = await gw.call('POST', '/rewrite/a/b', { body: 'hi' });
  const seen = res.json() as { url: string; method: string; body: string };
  assert.equal(seen.url, '/v2/a/b');
  assert.equal(seen.method, 'POST');
  assert.equal(seen.body, 'hi');
});

// AWS docs "Configuring CORS for an HTTP API": the gateway answers preflight requests itself and
// adds CORS headers to responses for allowed origins, errors included.
test('CORS: preflight answered by the gateway, headers on errors, nothing for other origins', async () => {
  const preflight = await gw.call('OPTIONS', '/pets/1', {
    headers: { origin: 'https://app.example.com', 'access-control-request-method': 'GET' },
  });
  assert.equal(preflight.status, 204);
  assert.equal(preflight.headers['access-control-allow-origin'], 'https://app.example.com');
  assert.equal(preflight.headers['access-control-allow-methods'], 'GET,POST');
  assert.equal(preflight.headers['access-control-allow-headers'], 'content-type,x-custom');
  assert.equal(preflight.headers['access-control-max-age'], '300');
  const error = await gw.call('GET', '/nowhere', { headers: { origin: 'https://app.example.com' } });
  assert.equal(error.status, 404);
  assert.equal(error.headers['access-control-allow-origin'], 'https://app.example.com');
  const other = await gw.call('GET', '/pets/1', { headers: { origin: 'https://evil.example.com' } });
  assert.equal(other.headers['access-control-allow-origin'], undefined);
});

// HTTP APIs answer an integration that times out with 503 {"message":"Service Unavailable"}: recorded
// responses in cortexlabs/cortex#1225 (an apigw-requestid response after 30 s) and serverless#11222.
test('a backend slower than timeoutInMillis gives 503 Service Unavailable, and the gateway keeps serving', async () => {
  const res = await gw.call('GET', '/slow');
  assert.equal(res.status, 503);
  assert.deepEqual(res.json(), { message: 'Service Unavailable' });
  assert.equal((await gw.call('GET', '/pets/1')).status, 201);
});
