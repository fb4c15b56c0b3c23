/**
 * Headers API Gateway owns reach REST clients as x-amzn-Remapped-*: HTTP in, HTTP out.
 * AWS docs "Amazon API Gateway important notes" (headers "may be remapped to x-amzn-Remapped-HEADER
 * when ... sent back by your integration endpoint"; a 401's WWW-Authenticate arriving as
 * X-Amzn-Remapped-WWW-Authenticate). Recorded AWS HTTP_PROXY responses carry
 * x-amzn-remapped-{connection,content-length,date,server} (LocalStack's AWS-validated
 * method_response.py lists the same four for every integration type); HTTP APIs do not remap.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { lambdaInvocationUri, samFunctionsApi, startTestGateway, type TestGateway } from '../../../test/support/gateway.js';
import { startUpstream, type TestUpstream } from '../../../test/support/upstream.js';

const BACKEND_DATE = 'Mon, 01 Jan 2024 00:00:00 GMT';

let upstream: TestUpstream;
let rest: TestGateway;
let httpApi: TestGateway;

const FUNCTION = `export const handler = async () => ({
  statusCode: 401,
  headers: { 'WWW-Authenticate': 'Bearer realm="api"', Server: 'fn', 'X-Plain': 'kept' },
  body: 'no',
});`;

before(async () => {
  upstream = await startUpstream((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json', server: 'backend/1.0', date: BACKEND_DATE, 'content-length': '11', 'x-backend': 'yes' });
    res.end('{"ok":true}');
  });
  rest = await startTestGateway(
    samFunctionsApi(
      'dev',
      {
        '/proxy': {
          get: {
            responses: {},
            'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: `${upstream.url}/x` },
          },
        },
        '/mapped': {
          get: {
            responses: {
              '200': { description: 'ok', headers: { Server: { schema: { type: 'string' } }, 'x-backend': { schema: { type: 'string' } } } },
            },
            'x-amazon-apigateway-integration': {
              type: 'http',
              httpMethod: 'GET',
              uri: `${upstream.url}/x`,
              responses: {
                default: {
                  statusCode: '200',
                  responseParameters: {
                    'method.response.header.Server': 'integration.response.header.Server',
                    'method.response.header.x-backend': 'integration.response.header.x-backend',
                  },
                },
              },
            },
          },
        },
        '/fn': {
          get: {
            responses: {},
            'x-amazon-apigateway-integration': {
              type: 'aws_proxy',
              httpMethod: 'POST',
              uri: lambdaInvocationUri('Fn'),
            },
          },
        },
      },
      { Fn: 'index.handler' },
    ),
    { fileName: 'template.yaml', files: { 'fn/index.mjs': FUNCTION } },
  );
  httpApi = await startTestGateway({
    openapi: '3.0.1',
    info: { title: 'remap-http-api', version: '1' },
    paths: {
      '/proxy': {
        get: { 'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: `${upstream.url}/x`, payloadFormatVersion: '1.0' } },
      },
    },
  });
});

after(async () => {
  await rest?.close();
  await httpApi?.close();
  await upstream?.close();
});

test('REST HTTP_PROXY: the backend Server, Date, Content-Length and Connection come back as x-amzn-Remapped-*', async () => {
  const res = await rest.call('GET', '/dev/proxy');
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-amzn-remapped-server'], 'backend/1.0');
  assert.equal(res.headers['x-amzn-remapped-date'], BACKEND_DATE);
  assert.equal(res.headers['x-amzn-remapped-content-length'], '11');
  assert.equal(res.headers['server'], undefined);
  assert.notEqual(res.headers['date'], BACKEND_DATE);
  assert.equal(res.headers['x-backend'], 'yes');
  assert.equal(res.text, '{"ok":true}');
});

test('REST HTTP (non-proxy): a header mapped to a name API Gateway owns is remapped too', async () => {
  const res = await rest.call('GET', '/dev/mapped');
  assert.equal(res.status, 200);
  assert.equal(res.headers['x-amzn-remapped-server'], 'backend/1.0');
  assert.equal(res.headers['server'], undefined);
  assert.equal(res.headers['x-backend'], 'yes');
});

test('REST Lambda proxy: WWW-Authenticate and Server set by the function are remapped, other headers kept', async () => {
  const res = await rest.call('GET', '/dev/fn');
  assert.equal(res.status, 401);
  assert.equal(res.headers['x-amzn-remapped-www-authenticate'], 'Bearer realm="api"');
  assert.equal(res.headers['www-authenticate'], undefined);
  assert.equal(res.headers['x-amzn-remapped-server'], 'fn');
  assert.equal(res.headers['x-plain'], 'kept');
});

test('HTTP API: backend headers are passed on unchanged', async () => {
  const res = await httpApi.call('GET', '/proxy');
  assert.equal(res.status, 200);
  assert.equal(res.headers['server'], 'backend/1.0');
  assert.equal(res.headers['x-amzn-remapped-server'], undefined);
});
