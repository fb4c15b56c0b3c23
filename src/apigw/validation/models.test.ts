/**
 * `$context.error.validationErrorString` of a body that fails its model, through a real gatehouse.
 * AWS docs "Request validation for REST APIs" / "Gateway responses" ($context.error.validationErrorString
 * in a BAD_REQUEST_BODY template); the wording, with the type found in the payload, as API Gateway
 * answers it (recorded in a public integration test against API Gateway: `[instance type (string)
 * does not match any allowed primitive type (allowed: ["integer","number"])]`).
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestGateway, type TestGateway } from '../../../test/support/gateway.js';

let gw: TestGateway;

before(async () => {
  gw = await startTestGateway({
    openapi: '3.0.1',
    info: { title: 'validation-errors', version: '1' },
    'x-amazon-apigateway-request-validators': { body: { validateRequestBody: true, validateRequestParameters: false } },
    'x-amazon-apigateway-gateway-responses': {
      BAD_REQUEST_BODY: { responseTemplates: { 'application/json': '{"errors": "$util.escapeJavaScript($context.error.validationErrorString)"}' } },
    },
    paths: {
      '/things': {
        post: {
          'x-amazon-apigateway-request-validator': 'body',
          requestBody: {
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { n: { type: ['integer', 'number'] }, size: { type: 'string', enum: ['S', 'M'] }, age: { type: 'integer', minimum: 0 } },
                },
              },
            },
          },
          responses: { '200': { description: 'ok' } },
          'x-amazon-apigateway-integration': {
            type: 'mock',
            requestTemplates: { 'application/json': '{"statusCode": 200}' },
            responses: { default: { statusCode: '200' } },
          },
        },
      },
    },
  });
});

after(async () => {
  await gw?.close();
});

async function errors(body: unknown): Promise<string> {
  const res = await gw.call('POST', '/dev/things', { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 400);
  return (JSON.parse(res.text.replace(/\\'/g, "'")) as { errors: string }).errors;
}

test('a wrong type names the type the payload holds', async () => {
  assert.equal(await errors({ n: 'x' }), '[instance type (string) does not match any allowed primitive type (allowed: ["integer","number"])]');
});

test('enum and minimum failures quote the offending value', async () => {
  assert.equal(await errors({ size: 'XL' }), '[instance value ("XL") not found in enum (possible values: ["S","M"])]');
  assert.equal(await errors({ age: -1 }), '[numeric instance is lower than the required minimum (minimum: 0, found: -1)]');
});
