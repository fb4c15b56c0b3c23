/**
 * Step Functions tasks follow `--target`: with DynamoDB, SQS and SNS aimed at a moto_server and
 * Lambda at another endpoint, a workflow's optimized and `aws-sdk:*` tasks reach those engines (the
 * same target resolution as the gateway's `AWS` integrations), not the embedded services.
 * AWS docs: Step Functions developer guide "Integrating services with Step Functions" (dynamodb:putItem,
 * sqs:sendMessage, sns:publish, lambda:invoke, aws-sdk:dynamodb:getItem); SNS API reference "Publish"
 * (query protocol).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SFNClient, StartSyncExecutionCommand } from '@aws-sdk/client-sfn';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { CreateTopicCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { motoInstalled, startMoto, type Moto } from '../support/moto.js';
import { parseTargets } from '../../src/http/service-targets.js';
import { parseLambdaTargets } from '../../src/lambda/index.js';

// The stand-in for the Lambda target: a gatehouse whose embedded Lambda API runs `quote`.
const REMOTE = `
Transform: AWS::Serverless-2016-10-31
Resources:
  Quote:
    Type: AWS::Serverless::Function
    Properties: {FunctionName: quote, Runtime: nodejs20.x, CodeUri: fn, Handler: quote.handler}
`;
const REMOTE_FILES = { 'fn/quote.mjs': `export const handler = async (event) => ({ id: event.id, price: 42, side: 'remote' });` };

// The machine does not declare `quote`: it exists only where Lambda is targeted.
const flow = (queueUrl: string, topicArn: string) => `
Resources:
  Flow:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      StateMachineName: targeted
      StateMachineType: EXPRESS
      Definition:
        StartAt: Price
        States:
          Price:
            Type: Task
            Resource: arn:aws:states:::lambda:invoke
            Parameters: {FunctionName: quote, "Payload.$": "$"}
            OutputPath: $.Payload
            Next: Store
          Store:
            Type: Task
            Resource: arn:aws:states:::dynamodb:putItem
            Parameters:
              TableName: quotes
              Item: {id: {"S.$": "$.id"}, price: {"N.$": "States.Format('{}', $.price)"}}
            ResultPath: null
            Next: Read
          Read:
            Type: Task
            Resource: arn:aws:states:::aws-sdk:dynamodb:getItem
            Parameters: {TableName: quotes, Key: {id: {"S.$": "$.id"}}}
            ResultSelector: {"price.$": "$.Item.price.N", "id.$": "$.Item.id.S"}
            Next: Ship
          Ship:
            Type: Task
            Resource: arn:aws:states:::sqs:sendMessage
            Parameters: {QueueUrl: "${queueUrl}", "MessageBody.$": "$"}
            ResultPath: null
            Next: Notify
          Notify:
            Type: Task
            Resource: arn:aws:states:::sns:publish
            Parameters:
              TopicArn: "${topicArn}"
              Message: {"quoted.$": "$.id"}
              MessageAttributes: {kind: {DataType: String, StringValue: quote}}
            ResultSelector: {"messageId.$": "$.MessageId"}
            End: true
`;

const available = motoInstalled();
const skip = available ? false : 'moto_server is not installed';
const motoConfig = (url: string) => ({ endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
let moto: Moto;
let remote: TestGateway;
let gw: TestGateway;
let queueUrl: string;
let noticesUrl: string;

before(async () => {
  if (!available) return;
  moto = await startMoto();
  const ddb = new DynamoDBClient(motoConfig(moto.url));
  const sqs = new SQSClient(motoConfig(moto.url));
  const sns = new SNSClient(motoConfig(moto.url));
  await ddb.send(
    new CreateTableCommand({
      TableName: 'quotes',
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    }),
  );
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'shipping' }))).QueueUrl!;
  noticesUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'notices' }))).QueueUrl!;
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: noticesUrl, AttributeNames: ['QueueArn'] }));
  const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'quoted' }));
  await sns.send(new SubscribeCommand({ TopicArn, Protocol: 'sqs', Endpoint: Attributes!['QueueArn'] }));
  for (const client of [ddb, sqs, sns]) client.destroy();

  remote = await startTestGateway(REMOTE, { fileName: 'template.yaml', files: REMOTE_FILES });
  gw = await startTestGateway(flow(queueUrl, TopicArn!), {
    fileName: 'template.yaml',
    serve: {
      targets: parseTargets({ dynamodb: moto.url, sqs: moto.url, sns: moto.url }),
      lambdaTargets: parseLambdaTargets([`lambda=${remote.gatehouse.awsUrl}`]),
    },
  });
});
after(async () => {
  await gw?.close();
  await remote?.close();
  await moto?.stop();
});

test('the Lambda, DynamoDB, aws-sdk, SQS and SNS tasks reach their targets', { skip }, async () => {
  const sfn = new SFNClient({ endpoint: gw.gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, disableHostPrefix: true });
  const out = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:targeted', input: '{"id":"q-1"}' }));
  sfn.destroy();
  assert.equal(out.status, 'SUCCEEDED', `${out.error}: ${out.cause}`);
  assert.match(JSON.parse(out.output!).messageId, /^[0-9a-f-]{36}$/);

  const ddb = new DynamoDBClient(motoConfig(moto.url));
  const sqs = new SQSClient(motoConfig(moto.url));
  try {
    const { Item } = await ddb.send(new GetItemCommand({ TableName: 'quotes', Key: { id: { S: 'q-1' } } }));
    assert.deepEqual(Item, { id: { S: 'q-1' }, price: { N: '42' } });
    const shipped = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
    assert.deepEqual(JSON.parse(shipped.Messages![0]!.Body!), { price: '42', id: 'q-1' });
    const notice = await sqs.send(new ReceiveMessageCommand({ QueueUrl: noticesUrl, WaitTimeSeconds: 1 }));
    const envelope = JSON.parse(notice.Messages![0]!.Body!) as { Message: string; MessageAttributes: Record<string, { Value: string }> };
    assert.deepEqual(JSON.parse(envelope.Message), { quoted: 'q-1' });
    assert.equal(envelope.MessageAttributes['kind']?.Value, 'quote');
  } finally {
    ddb.destroy();
    sqs.destroy();
  }
});
