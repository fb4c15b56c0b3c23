/**
 * Per-service targets (`--target dynamodb=<URL>`): an API route's AWS integration goes to the
 * configured engine (a moto_server started here) instead of the embedded DynamoDB, which is then
 * not started; `parseTargets` refuses what it cannot serve.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { startTestGateway, call, type TestGateway } from '../support/gateway.js';
import { motoInstalled, startMoto, type Moto } from '../support/moto.js';
import { parseTargets, ServiceTargets, TargetError } from '../../src/http/service-targets.js';

const TEMPLATE = `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Body:
        openapi: 3.0.1
        info: {title: targets, version: "1"}
        paths:
          /items/{id}:
            put:
              parameters: [{name: id, in: path, required: true, schema: {type: string}}]
              responses: {"200": {description: ok}}
              x-amazon-apigateway-integration:
                type: aws
                httpMethod: POST
                uri: arn:aws:apigateway:us-east-1:dynamodb:action/PutItem
                requestTemplates:
                  application/json: |
                    {"TableName": "moto-items", "Item": {"id": {"S": "$input.params('id')"}, "name": {"S": "$input.path('$.name')"}}}
                responses: {default: {statusCode: "200"}}
  Stage:
    Type: AWS::ApiGateway::Stage
    Properties: {RestApiId: !Ref Api, StageName: dev, DeploymentId: x}
`;

const available = motoInstalled();
let moto: Moto;
let gw: TestGateway;
let dynamodb: DynamoDBClient;

before(async () => {
  if (!available) return;
  moto = await startMoto();
  dynamodb = new DynamoDBClient({ endpoint: moto.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  await dynamodb.send(
    new CreateTableCommand({
      TableName: 'moto-items',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml', serve: { targets: parseTargets({ dynamodb: moto.url }) } });
});
after(async () => {
  dynamodb?.destroy();
  await gw?.close();
  await moto?.stop();
});

test('an AWS integration writes to the targeted engine, read back there with the SDK', { skip: available ? false : 'moto_server is not installed' }, async () => {
  const res = await gw.call('PUT', '/dev/items/lamp', { headers: { 'content-type': 'application/json' }, body: '{"name": "desk lamp"}' });
  assert.equal(res.status, 200);
  const { Item } = await dynamodb.send(new GetItemCommand({ TableName: 'moto-items', Key: { id: { S: 'lamp' } } }));
  assert.deepEqual(Item, { id: { S: 'lamp' }, name: { S: 'desk lamp' } });
});

test('the embedded DynamoDB is not started when DynamoDB is targeted elsewhere', { skip: available ? false : 'moto_server is not installed' }, async () => {
  const res = await call(gw.gatehouse.awsUrl, 'POST', '/', {
    headers: { 'x-amz-target': 'DynamoDB_20120810.ListTables', 'content-type': 'application/x-amz-json-1.0' },
    body: '{}',
  });
  assert.equal(res.status, 400);
  assert.equal((res.json() as { __type: string }).__type, 'UnknownOperationException');
});

test('targets are checked: unknown services, bad URLs, and aws without a credential chain fail at start', () => {
  assert.throws(() => parseTargets({ lambda: 'aws' }), TargetError);
  assert.throws(() => parseTargets({ s3: 'ftp://example.com' }), /expected an http\(s\) URL/);
  assert.throws(() => parseTargets({ s3: 'minio' }), /expected embedded, aws or an http\(s\) URL/);
  assert.throws(() => new ServiceTargets(parseTargets({ dynamodb: 'aws' }), 'http://127.0.0.1:4566', undefined), /needs the standard AWS credential chain/);
  const targets = new ServiceTargets(parseTargets({ stepfunctions: 'aws', s3: 'http://127.0.0.1:9000' }), 'http://127.0.0.1:4566', { accessKeyId: 'a', secretAccessKey: 'b' });
  assert.equal(targets.forService('states', 'eu-west-1').url.origin, 'https://states.eu-west-1.amazonaws.com');
  assert.equal(targets.forService('s3', 'us-east-1').url.origin, 'http://127.0.0.1:9000');
  assert.equal(targets.forService('dynamodb', 'us-east-1').url.origin, 'http://127.0.0.1:4566');
  assert.ok(targets.replaces('stepfunctions') && targets.replaces('s3') && !targets.replaces('dynamodb'));
});
