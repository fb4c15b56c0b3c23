/** Step Functions service tasks reach the other embedded services through the endpoint. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SQSClient, ReceiveMessageCommand, GetQueueUrlCommand } from '@aws-sdk/client-sqs';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const TEMPLATE = `
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
  Shipping:
    Type: AWS::SQS::Queue
    Properties: {QueueName: shipping}
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: order-flow
      StateMachineType: EXPRESS
      Definition:
        StartAt: Store
        States:
          Store:
            Type: Task
            Resource: arn:aws:states:::dynamodb:putItem
            Parameters:
              TableName: orders
              Item: {id: {"S.$": "$.id"}}
            ResultPath: null
            Next: Ship
          Ship:
            Type: Task
            Resource: arn:aws:states:::sqs:sendMessage
            Parameters:
              QueueUrl: !Ref Shipping
              "MessageBody.$": "$.id"
            ResultSelector: {"sent.$": "$.MessageId"}
            End: true
`;

let gw: TestGateway;
const clientConfig = () => ({ endpoint: gw.gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });

before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'flow.yaml' });
});
after(async () => {
  await gw?.close();
});

// AWS docs "Call DynamoDB with Step Functions" / "Send messages to SQS with Step Functions" (optimized integrations).
test('a workflow writes to DynamoDB and sends to SQS through the embedded services', async () => {
  const sfn = new SFNClient({ ...clientConfig(), disableHostPrefix: true });
  const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:order-flow', input: '{"id":"o-7"}' }));
  assert.equal(out.status, 'SUCCEEDED', out.error ?? out.cause);
  assert.match(JSON.parse(out.output!).sent, /^[0-9a-f-]{36}$/);
  const ddb = new DynamoDBClient(clientConfig());
  const item = await ddb.send(new GetItemCommand({ TableName: 'orders', Key: { id: { S: 'o-7' } } }));
  assert.deepEqual(item.Item, { id: { S: 'o-7' } });
  const sqs = new SQSClient(clientConfig());
  const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'shipping' }));
  const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  assert.equal(received.Messages?.[0]?.Body, 'o-7');
  for (const client of [sfn, ddb, sqs]) client.destroy();
});
