/**
 * Target `aws` for functions: the gateway invokes them with the Lambda Invoke API (SigV4-signed,
 * credentials from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, endpoint from AWS_ENDPOINT_URL_LAMBDA)
 * instead of running them locally. A second gatehouse's embedded Lambda API stands in for AWS.
 * AWS docs: Lambda API reference "Invoke" (API_Invoke.html); AWS SDKs and Tools reference guide,
 * "Service-specific endpoints" (AWS_ENDPOINT_URL_<SERVICE>).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startGatehouse, type Gatehouse } from '../../src/server/gatehouse.js';
import { createLogger } from '../../src/core/log.js';
import { parseLambdaTargets } from '../../src/lambda/index.js';
import { call, startTestGateway, type TestGateway } from '../support/gateway.js';

const template = (side: string): string => `AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Where:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: where
      Runtime: nodejs20.x
      CodeUri: fn
      Handler: where.handler
      Environment: {Variables: {SIDE: ${side}}}
      Events:
        Get: {Type: Api, Properties: {Path: '/where/{what}', Method: get}}
`;

const files = {
  'fn/where.mjs': `export const handler = async (event) => {
  if (event.pathParameters.what === 'fail') throw new Error('remote failure');
  console.log('ran on', process.env.SIDE);
  return { statusCode: 200, body: JSON.stringify({ side: process.env.SIDE }) };
};`,
};

let remote: TestGateway;
let local: TestGateway;
let targeted: Gatehouse;
const logged: string[] = [];

before(async () => {
  // The stand-in for AWS, and a gatehouse whose same function runs locally.
  remote = await startTestGateway(template('remote'), { fileName: 'template.yaml', files });
  local = await startTestGateway(template('local'), { fileName: 'template.yaml', files });
  process.env['AWS_ENDPOINT_URL_LAMBDA'] = remote.gatehouse.awsUrl;
  process.env['AWS_ACCESS_KEY_ID'] = 'AKIAEXAMPLETARGET000';
  process.env['AWS_SECRET_ACCESS_KEY'] = 'target-secret';
  const log = createLogger('silent');
  targeted = await startGatehouse({
    file: local.file,
    port: 0,
    awsPort: 0,
    host: '127.0.0.1',
    dataDir: join(local.dir, 'targeted-data'),
    watch: false,
    parameterOverrides: {},
    log: { ...log, info: (line: string) => logged.push(line) },
    lambdaTargets: parseLambdaTargets(['lambda:Where=aws']),
  });
});

after(async () => {
  await targeted?.close();
  await local?.close();
  await remote?.close();
});

test('a function targeted at aws is invoked through the Lambda Invoke API, not locally', async () => {
  assert.deepEqual((await local.call('GET', '/Prod/where/x')).json(), { side: 'local' });
  const res = await call(targeted.apiUrl, 'GET', '/Prod/where/x');
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), { side: 'remote' });
  // The function's log tail (X-Amz-Log-Type: Tail) shows in the gateway's log.
  assert.ok(logged.some((line) => line.includes('\tINFO\tran on remote')), logged.join('\n'));
});

// "Handle Lambda errors in API Gateway": a function error (X-Amz-Function-Error) behind a proxy integration is 502.
test('a remote function error becomes the proxy integration 502', async () => {
  const res = await call(targeted.apiUrl, 'GET', '/Prod/where/fail');
  assert.equal(res.status, 502);
  assert.deepEqual(res.json(), { message: 'Internal server error' });
});

test('the remote endpoint is also what the Lambda API of the targeted gatehouse invokes', async () => {
  const res = await call(targeted.awsUrl, 'POST', '/2015-03-31/functions/where/invocations', {
    body: JSON.stringify({ pathParameters: { what: 'x' } }),
  });
  assert.equal(res.status, 200);
  assert.deepEqual(JSON.parse((res.json() as { body: string }).body), { side: 'remote' });
});

test('--target values are checked', () => {
  assert.throws(() => parseLambdaTargets(['dynamodb=aws']), /expected lambda=aws/);
  assert.throws(() => parseLambdaTargets(['lambda=not a url']), /neither aws nor a URL/);
  const targets = parseLambdaTargets(['lambda=aws', 'lambda:Other=http://127.0.0.1:9000']);
  assert.equal(targets.all, 'aws');
  assert.equal(String(targets.byFunction.get('Other')), 'http://127.0.0.1:9000/');
});
