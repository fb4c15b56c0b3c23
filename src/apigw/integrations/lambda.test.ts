/**
 * Lambda custom (non-proxy) integration responses through a real gatehouse: HTTP in, HTTP out.
 * AWS docs "Handle Lambda errors in API Gateway": API Gateway matches the errorMessage against each
 * selectionPattern; `.*` "will match all error messages, including null", so it overrides the
 * default response even for a function that succeeded; a custom error (errorMessage holding a JSON
 * string) is deserialized for body-to-header mappings (integration.response.body.errorMessage.x).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { lambdaInvocationUri, samFunctionsApi, startTestGateway, type TestGateway } from '../../../test/support/gateway.js';

const FUNCTION = `export const handler = async (event) => {
  if (event.mode === 'custom') throw new Error(JSON.stringify({ errorType: 'Teapot', httpStatus: 418, trace: { fn: 'abc()' } }));
  return { ok: event.mode };
};`;

function integration(responses: Record<string, unknown>): Record<string, unknown> {
  return {
    type: 'aws',
    httpMethod: 'POST',
    uri: lambdaInvocationUri('Fn'),
    requestTemplates: { 'application/json': '{"mode": "$input.params(\'mode\')"}' },
    responses,
  };
}

const stringHeader = { schema: { type: 'string' } };

let gw: TestGateway;

before(async () => {
  gw = await startTestGateway(
    samFunctionsApi(
      'dev',
      {
        '/catch-all/{mode}': {
          get: {
            parameters: [{ name: 'mode', in: 'path', required: true, schema: { type: 'string' } }],
            responses: { '200': { description: 'ok' }, '203': { description: 'all' } },
            'x-amazon-apigateway-integration': integration({ default: { statusCode: '200' }, '.*': { statusCode: '203' } }),
          },
        },
        '/errors/{mode}': {
          get: {
            parameters: [{ name: 'mode', in: 'path', required: true, schema: { type: 'string' } }],
            responses: {
              '200': { description: 'ok' },
              '500': { description: 'error', headers: { 'x-error-type': stringHeader, 'x-error-status': stringHeader, 'x-error-trace': stringHeader } },
            },
            'x-amazon-apigateway-integration': integration({
              default: { statusCode: '200' },
              '.*httpStatus.*': {
                statusCode: '500',
                responseParameters: {
                  'method.response.header.x-error-type': 'integration.response.body.errorMessage.errorType',
                  'method.response.header.x-error-status': 'integration.response.body.errorMessage.httpStatus',
                  'method.response.header.x-error-trace': 'integration.response.body.errorMessage.trace',
                },
              },
            }),
          },
        },
      },
      { Fn: 'index.handler' },
    ),
    { fileName: 'template.yaml', files: { 'fn/index.mjs': FUNCTION } },
  );
});

after(async () => {
  await gw?.close();
});

test('a `.*` selection pattern also selects the response of a function that succeeded', async () => {
  const res = await gw.call('GET', '/dev/catch-all/fine');
  assert.equal(res.status, 203);
  assert.deepEqual(res.json(), { ok: 'fine' });
});

test('a custom error object in errorMessage is deserialized for header mappings', async () => {
  const res = await gw.call('GET', '/dev/errors/custom');
  assert.equal(res.status, 500);
  assert.equal(res.headers['x-error-type'], 'Teapot');
  assert.equal(res.headers['x-error-status'], '418');
  assert.equal(res.headers['x-error-trace'], '{"fn":"abc()"}');
  // body-to-body mappings see the error as it came (errorMessage stays a string)
  assert.equal(typeof (res.json() as { errorMessage: unknown }).errorMessage, 'string');
});

test('a function that succeeded uses the default response when no pattern matches the null error', async () => {
  const res = await gw.call('GET', '/dev/errors/fine');
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), { ok: 'fine' });
});
