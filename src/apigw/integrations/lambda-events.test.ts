/**
 * The proxy events a function receives, seen through a real gatehouse: HTTP in, the event echoed out.
 * AWS docs "Set up Lambda proxy integrations in API Gateway" (input format: the example's headers
 * carry no Connection or Content-Length; "Authorization" and "User-Agent" in canonical case) and
 * LocalStack's AWS-validated API Gateway tests (header_utils.py DROPPED_FROM_REQUEST_COMMON: headers
 * never handed on; aws.py: authorization and user-agent capitalized as CloudFront forwards them).
 * The same input format example carries X-Forwarded-For (the client address appended),
 * X-Forwarded-Port, X-Forwarded-Proto and X-Amzn-Trace-Id; payload 2.0 events carry them lower-cased.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../../../test/support/gateway.js';

const TEMPLATE = {
  AWSTemplateFormatVersion: '2010-09-09',
  Transform: 'AWS::Serverless-2016-10-31',
  Resources: {
    Echo: {
      Type: 'AWS::Serverless::Function',
      Properties: {
        Runtime: 'nodejs20.x',
        CodeUri: 'fn',
        Handler: 'index.handler',
        Events: {
          Rest: { Type: 'Api', Properties: { Path: '/echo', Method: 'post' } },
          Http: { Type: 'HttpApi', Properties: { Path: '/echo', Method: 'post' } },
        },
      },
    },
  },
};

let gw: TestGateway;

before(async () => {
  gw = await startTestGateway(TEMPLATE, {
    fileName: 'template.yaml',
    files: { 'fn/index.mjs': 'export const handler = async (event) => ({ statusCode: 200, body: JSON.stringify(event) });' },
  });
});

after(async () => {
  await gw?.close();
});

test('REST proxy event: connection-level headers are dropped, Authorization and User-Agent canonically cased', async () => {
  const res = await gw.call('POST', '/Prod/echo', {
    headers: { 'user-agent': 'lower/1.0', authorization: 'token', 'x-custom': 'kept', 'content-type': 'text/plain', 'max-forwards': '3' },
    body: 'hello',
  });
  assert.equal(res.status, 200);
  const event = res.json() as { headers: Record<string, string>; multiValueHeaders: Record<string, string[]>; body: string };
  assert.equal(event.body, 'hello');
  assert.equal(event.headers['User-Agent'], 'lower/1.0');
  assert.equal(event.headers['Authorization'], 'token');
  assert.equal(event.headers['x-custom'], 'kept');
  assert.deepEqual(event.multiValueHeaders['User-Agent'], ['lower/1.0']);
  for (const name of Object.keys(event.headers)) {
    assert.ok(!['user-agent', 'authorization', 'connection', 'content-length', 'max-forwards'].includes(name), `unexpected header ${name}`);
  }
  assert.equal(event.multiValueHeaders['content-length'], undefined);
});

test('proxy events carry the forwarding headers API Gateway adds, the client address appended to X-Forwarded-For', async () => {
  const port = new URL(gw.gatehouse.apiUrl).port;
  const rest = await gw.call('POST', '/Prod/echo', { headers: { 'x-forwarded-for': '203.0.113.9' }, body: 'x' });
  const v1 = (rest.json() as { headers: Record<string, string> }).headers;
  assert.equal(v1['X-Forwarded-For'], '203.0.113.9, 127.0.0.1');
  assert.equal(v1['x-forwarded-for'], undefined);
  assert.equal(v1['X-Forwarded-Proto'], 'http');
  assert.equal(v1['X-Forwarded-Port'], port);
  assert.match(v1['X-Amzn-Trace-Id'] ?? '', /^Root=1-/);

  const http = await gw.call('POST', '/echo', { body: 'x' });
  const v2 = (http.json() as { headers: Record<string, string> }).headers;
  assert.equal(v2['x-forwarded-for'], '127.0.0.1');
  assert.equal(v2['x-forwarded-proto'], 'http');
  assert.equal(v2['x-forwarded-port'], port);
  assert.match(v2['x-amzn-trace-id'] ?? '', /^Root=1-/);
});
