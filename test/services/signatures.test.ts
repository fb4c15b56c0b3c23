/**
 * `gatehouse serve --verify-signatures`: SDK v3 clients with the right secret are served, a wrong
 * secret or an unknown key gets the error AWS answers in each protocol, and gatehouse's own signed
 * calls (an API route's AWS integration) still pass. Sources of the error shapes: see
 * src/server/signature-check.ts (recorded AWS answers) and, for S3, the S3 API Reference
 * "Error responses" (SignatureDoesNotMatch, 403).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SNSClient, ListTopicsCommand } from '@aws-sdk/client-sns';
import { SQSClient, ListQueuesCommand } from '@aws-sdk/client-sqs';
import { LambdaClient, ListFunctionsCommand } from '@aws-sdk/client-lambda';
import { S3Client, PutObjectCommand, GetObjectCommand } from '@aws-sdk/client-s3';
import { startTestGateway, call, type TestGateway } from '../support/gateway.js';

const KEY = { accessKeyId: 'AKIDVERIFYTEST000001', secretAccessKey: 'right-secret' };
const WRONG = { accessKeyId: KEY.accessKeyId, secretAccessKey: 'wrong-secret' };
const UNKNOWN = { accessKeyId: 'AKIDUNKNOWN000000001', secretAccessKey: 'whatever' };

const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Files:
    Type: AWS::S3::Bucket
    Properties: {BucketName: verify-files}
  Items:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: verify-items
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: 3.0.1
        info: {title: verify, version: "1"}
        paths:
          /tables:
            get:
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: arn:aws:apigateway:us-east-1:dynamodb:action/ListTables
                requestTemplates: {application/json: "{}"}
                responses: {default: {statusCode: "200"}}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: dev, DeploymentId: x}
`;

let gw: TestGateway;
before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml', serve: { verifySignatures: { accessKeys: { [KEY.accessKeyId]: KEY.secretAccessKey } } } });
});
after(async () => {
  await gw?.close();
});

function options(credentials: typeof KEY) {
  return { endpoint: gw.gatehouse.awsUrl, region: 'us-east-1', credentials, maxAttempts: 1 };
}

async function failure(promise: Promise<unknown>): Promise<Error & { $metadata: { httpStatusCode?: number }; $response?: { body?: unknown } }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { $metadata: { httpStatusCode?: number } };
  }
  assert.fail('the call succeeded');
}

test('JSON protocol (DynamoDB): the right secret passes, a wrong one is InvalidSignatureException 400, an unknown key UnrecognizedClientException 400', async () => {
  const good = new DynamoDBClient(options(KEY));
  const bad = new DynamoDBClient(options(WRONG));
  const unknown = new DynamoDBClient(options(UNKNOWN));
  try {
    assert.deepEqual((await good.send(new ListTablesCommand({}))).TableNames, ['verify-items']);
    const wrong = await failure(bad.send(new ListTablesCommand({})));
    assert.equal(wrong.name, 'InvalidSignatureException');
    assert.equal(wrong.$metadata.httpStatusCode, 400);
    // AWS appends what it signed, so a client can compare (recorded DynamoDB answer).
    assert.match(wrong.message, /^The request signature we calculated does not match the signature you provided\. .*\n\nThe Canonical String for this request should have been\n'POST\n\/\n/s);
    const stranger = await failure(unknown.send(new ListTablesCommand({})));
    assert.equal(stranger.name, 'UnrecognizedClientException');
    assert.equal(stranger.$metadata.httpStatusCode, 400);
    assert.equal(stranger.message, 'The security token included in the request is invalid');
  } finally {
    for (const client of [good, bad, unknown]) client.destroy();
  }
});

test('JSON protocol (SQS): a wrong secret is refused before the service runs', async () => {
  const good = new SQSClient(options(KEY));
  const bad = new SQSClient(options(WRONG));
  try {
    await good.send(new ListQueuesCommand({}));
    const wrong = await failure(bad.send(new ListQueuesCommand({})));
    assert.equal(wrong.name, 'InvalidSignatureException');
  } finally {
    good.destroy();
    bad.destroy();
  }
});

test('query protocol (SNS): SignatureDoesNotMatch 403 and InvalidClientTokenId 403 in <ErrorResponse>', async () => {
  const good = new SNSClient(options(KEY));
  const bad = new SNSClient(options(WRONG));
  const unknown = new SNSClient(options(UNKNOWN));
  try {
    assert.deepEqual((await good.send(new ListTopicsCommand({}))).Topics ?? [], []);
    const wrong = await failure(bad.send(new ListTopicsCommand({})));
    assert.equal(wrong.name, 'SignatureDoesNotMatch');
    assert.equal(wrong.$metadata.httpStatusCode, 403);
    const stranger = await failure(unknown.send(new ListTopicsCommand({})));
    assert.equal(stranger.name, 'InvalidClientTokenId');
    assert.equal(stranger.$metadata.httpStatusCode, 403);
    assert.equal(stranger.message, 'The security token included in the request is invalid.');
  } finally {
    for (const client of [good, bad, unknown]) client.destroy();
  }
});

test('REST-JSON (Lambda): InvalidSignatureException with 403', async () => {
  const good = new LambdaClient(options(KEY));
  const bad = new LambdaClient(options(WRONG));
  try {
    assert.deepEqual((await good.send(new ListFunctionsCommand({}))).Functions, []);
    const wrong = await failure(bad.send(new ListFunctionsCommand({})));
    assert.equal(wrong.name, 'InvalidSignatureException');
    assert.equal(wrong.$metadata.httpStatusCode, 403);
  } finally {
    good.destroy();
    bad.destroy();
  }
});

test('S3 checks its own signatures: SignatureDoesNotMatch 403 for a wrong secret', async () => {
  const good = new S3Client({ ...options(KEY), forcePathStyle: true });
  const bad = new S3Client({ ...options(WRONG), forcePathStyle: true });
  try {
    await good.send(new PutObjectCommand({ Bucket: 'verify-files', Key: 'a.txt', Body: 'hello' }));
    assert.equal(await (await good.send(new GetObjectCommand({ Bucket: 'verify-files', Key: 'a.txt' }))).Body!.transformToString(), 'hello');
    const wrong = await failure(bad.send(new GetObjectCommand({ Bucket: 'verify-files', Key: 'a.txt' })));
    assert.equal(wrong.name, 'SignatureDoesNotMatch');
    assert.equal(wrong.$metadata.httpStatusCode, 403);
  } finally {
    good.destroy();
    bad.destroy();
  }
});

test('an unsigned request is MissingAuthenticationTokenException (JSON) ', async () => {
  const res = await call(gw.gatehouse.awsUrl, 'POST', '/', {
    headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
    body: '{}',
  });
  assert.equal(res.status, 400);
  assert.deepEqual(res.json(), { __type: 'com.amazon.coral.service#MissingAuthenticationTokenException', message: 'Request is missing Authentication Token' });
});

test("gatehouse's own calls (an AWS integration) are signed with keys it accepts", async () => {
  const res = await gw.call('GET', '/dev/tables');
  assert.equal(res.status, 200);
  assert.deepEqual(res.json(), { TableNames: ['verify-items'] });
});
