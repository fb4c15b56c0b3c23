/**
 * Event source mappings end to end: SAM `Events` of type SQS, Kinesis and DynamoDB and the Lambda
 * API's event source mapping operations, driven with the SDK; the functions log what they receive
 * to files beside their code.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SQSClient, SendMessageBatchCommand, SendMessageCommand, ReceiveMessageCommand, GetQueueAttributesCommand, CreateQueueCommand } from '@aws-sdk/client-sqs';
import { SNSClient, PublishCommand } from '@aws-sdk/client-sns';
import { KinesisClient, PutRecordsCommand } from '@aws-sdk/client-kinesis';
import { DynamoDBClient, PutItemCommand, UpdateItemCommand, DeleteItemCommand } from '@aws-sdk/client-dynamodb';
import {
  LambdaClient,
  CreateEventSourceMappingCommand,
  GetEventSourceMappingCommand,
  ListEventSourceMappingsCommand,
  DeleteEventSourceMappingCommand,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { until } from '../support/wait.js';

const TEMPLATE = `
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Globals:
  Function: {Runtime: nodejs20.x, CodeUri: fn, Timeout: 5}
Resources:
  Jobs:
    Type: AWS::SQS::Queue
    Properties:
      QueueName: jobs
      VisibilityTimeout: 2
      RedrivePolicy: {deadLetterTargetArn: !GetAtt JobsDlq.Arn, maxReceiveCount: 2}
  JobsDlq:
    Type: AWS::SQS::Queue
    Properties: {QueueName: jobs-dlq}
  Notices:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: notices
      Subscription:
        - {Protocol: sqs, Endpoint: !GetAtt Inbox.Arn}
        - {Protocol: sqs, Endpoint: !GetAtt Audit.Arn}
  Inbox:
    Type: AWS::SQS::Queue
    Properties: {QueueName: inbox}
  Audit:
    Type: AWS::SQS::Queue
    Properties: {QueueName: audit}
  Clicks:
    Type: AWS::Kinesis::Stream
    Properties: {Name: clicks, ShardCount: 2}
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: orders
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions: [{AttributeName: id, AttributeType: S}]
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      StreamSpecification: {StreamViewType: NEW_AND_OLD_IMAGES}
  Worker:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: worker
      Handler: worker.handler
      Events:
        Jobs:
          Type: SQS
          Properties:
            Queue: !GetAtt Jobs.Arn
            BatchSize: 10
            FunctionResponseTypes: [ReportBatchItemFailures]
  Reader:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: reader
      Handler: log.handler
      Environment: {Variables: {LOG: inbox}}
      Events:
        Inbox:
          Type: SQS
          Properties: {Queue: !GetAtt Inbox.Arn}
  ClickFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: clicks
      Handler: clicks.handler
      Events:
        Stream:
          Type: Kinesis
          Properties: {Stream: !GetAtt Clicks.Arn, StartingPosition: TRIM_HORIZON, BatchSize: 4}
  OrderFunction:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: order-changes
      Handler: log.handler
      Environment: {Variables: {LOG: orders}}
  OrderMapping:
    Type: AWS::Lambda::EventSourceMapping
    Properties:
      FunctionName: !Ref OrderFunction
      EventSourceArn: !GetAtt Orders.StreamArn
      StartingPosition: LATEST
      BatchSize: 10
  Alerts:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: alerts
      Handler: log.handler
      Environment: {Variables: {LOG: alerts}}
      Events:
        Notice:
          Type: SNS
          Properties: {Topic: !Ref Notices}
  Spare:
    Type: AWS::Serverless::Function
    Properties:
      FunctionName: spare
      Handler: log.handler
      Environment: {Variables: {LOG: spare}}
`;

const FILES = {
  'fn/log.mjs': `import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  appendFileSync(new URL('./' + process.env.LOG + '.jsonl', import.meta.url), JSON.stringify(event) + '\\n');
};`,
  // Fails a message whose body asks for it on its first delivery (or always for "poison"),
  // reporting it in batchItemFailures; logs every record it saw with its receive count.
  'fn/worker.mjs': `import { appendFileSync } from 'node:fs';
export const handler = async (event) => {
  const batchItemFailures = [];
  for (const r of event.Records) {
    appendFileSync(new URL('./worker.jsonl', import.meta.url), JSON.stringify(r) + '\\n');
    const count = Number(r.attributes.ApproximateReceiveCount);
    if (r.body === 'poison' || (r.body.startsWith('fail') && count === 1)) batchItemFailures.push({ itemIdentifier: r.messageId });
  }
  return { batchItemFailures };
};`,
  // Throws once, on the first batch holding "c-5"; logs the batches it completed.
  'fn/clicks.mjs': `import { appendFileSync, existsSync, writeFileSync } from 'node:fs';
export const handler = async (event) => {
  const data = event.Records.map((r) => Buffer.from(r.kinesis.data, 'base64').toString());
  const marker = new URL('./failed-once', import.meta.url);
  if (data.includes('c-5') && !existsSync(marker)) {
    writeFileSync(marker, '');
    throw new Error('first attempt fails');
  }
  appendFileSync(new URL('./clicks.jsonl', import.meta.url), JSON.stringify(event) + '\\n');
};`,
};

let gw: TestGateway;
const config = () => ({ endpoint: gw.gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
let sqs: SQSClient;

before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml', files: FILES });
  sqs = new SQSClient(config());
  // A warm worker: a cold start longer than the 2 s visibility timeout would let a message be received twice,
  // which at-least-once delivery allows but the partial batch test counts.
  await sqs.send(new SendMessageCommand({ QueueUrl: `${gw.gatehouse.awsUrl}/000000000000/jobs`, MessageBody: 'warm-up' }));
  await until('the worker to be warm', () => logLines<SqsRecord>('worker').some((r) => r.body === 'warm-up'));
});
after(async () => {
  sqs?.destroy();
  await gw?.close();
});

function logLines<T = Record<string, unknown>>(name: string): T[] {
  const file = join(gw.dir, 'fn', `${name}.jsonl`);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as T);
}

async function queueCounts(name: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: `${gw.gatehouse.awsUrl}/000000000000/${name}`, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes!['ApproximateNumberOfMessages']), inFlight: Number(Attributes!['ApproximateNumberOfMessagesNotVisible']) };
}

interface SqsRecord {
  messageId: string;
  body: string;
  attributes: Record<string, string>;
  eventSource: string;
  eventSourceARN: string;
}

// Lambda developer guide "Handling errors for an SQS event source in Lambda": with ReportBatchItemFailures only
// the messages named in batchItemFailures stay on the queue and come back after the visibility timeout.
test('SQS -> Lambda: a partial batch failure returns only the failed message, with a growing ApproximateReceiveCount', async () => {
  const url = `${gw.gatehouse.awsUrl}/000000000000/jobs`;
  await sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: url,
      Entries: [
        { Id: 'a', MessageBody: 'ok-1', MessageAttributes: { kind: { DataType: 'String', StringValue: 'job' } } },
        { Id: 'b', MessageBody: 'fail-1' },
        { Id: 'c', MessageBody: 'ok-2' },
      ],
    }),
  );
  const records = await until('the failed message to come back', () => {
    const seen = logLines<SqsRecord>('worker');
    return seen.some((r) => r.body === 'fail-1' && r.attributes['ApproximateReceiveCount'] === '2') && seen;
  });
  const byBody = (body: string) => records.filter((r) => r.body === body);
  assert.equal(byBody('ok-1').length, 1);
  assert.equal(byBody('ok-2').length, 1);
  assert.deepEqual(byBody('fail-1').map((r) => r.attributes['ApproximateReceiveCount']), ['1', '2']);
  assert.equal(byBody('fail-1')[0]!.messageId, byBody('fail-1')[1]!.messageId);
  // The record shape of the Lambda developer guide's "Example standard queue message event".
  const first = byBody('ok-1')[0]! as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(first), ['messageId', 'receiptHandle', 'body', 'attributes', 'messageAttributes', 'md5OfBody', 'md5OfMessageAttributes', 'eventSource', 'eventSourceARN', 'awsRegion']);
  assert.deepEqual(Object.keys(first['attributes'] as object).sort(), ['ApproximateFirstReceiveTimestamp', 'ApproximateReceiveCount', 'SenderId', 'SentTimestamp']);
  assert.deepEqual(first['messageAttributes'], { kind: { stringValue: 'job', stringListValues: [], binaryListValues: [], dataType: 'String' } });
  assert.equal(first['eventSource'], 'aws:sqs');
  assert.equal(first['eventSourceARN'], 'arn:aws:sqs:us-east-1:000000000000:jobs');
  assert.equal(first['awsRegion'], 'us-east-1');
  await until('the queue to be empty', async () => {
    const counts = await queueCounts('jobs');
    return counts.visible === 0 && counts.inFlight === 0;
  });
});

// SQS developer guide "Using dead-letter queues": after maxReceiveCount receives the message moves to the DLQ.
test('SQS -> Lambda: a message that keeps failing goes to the dead-letter queue after maxReceiveCount', async () => {
  const url = `${gw.gatehouse.awsUrl}/000000000000/jobs`;
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'poison' }));
  const dead = await until('the message in the DLQ', async () => {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${gw.gatehouse.awsUrl}/000000000000/jobs-dlq`, WaitTimeSeconds: 1, MaxNumberOfMessages: 10 }));
    return got.Messages?.find((m) => m.Body === 'poison');
  });
  assert.equal(dead.MessageId, sent.MessageId);
  assert.equal(dead.Body, 'poison');
  const attempts = logLines<SqsRecord>('worker').filter((r) => r.body === 'poison');
  assert.deepEqual(attempts.map((r) => r.attributes['ApproximateReceiveCount']), ['1', '2']);
});

// SNS developer guide "Fanout to Amazon SQS queues": each subscribed queue gets the notification envelope;
// the inbox queue then triggers its function.
test('SNS -> SQS fan-out, then SQS -> Lambda; SNS -> Lambda through a SAM SNS event', async () => {
  const sns = new SNSClient(config());
  try {
    const published = await sns.send(new PublishCommand({ TopicArn: 'arn:aws:sns:us-east-1:000000000000:notices', Message: 'order 42 shipped', Subject: 'shipping' }));
    const events = await until('the inbox function to run', () => {
      const lines = logLines<{ Records: SqsRecord[] }>('inbox');
      return lines.length > 0 && lines;
    });
    const record = events[0]!.Records[0]!;
    assert.equal(record.eventSourceARN, 'arn:aws:sqs:us-east-1:000000000000:inbox');
    const envelope = JSON.parse(record.body) as Record<string, string>;
    assert.equal(envelope['Type'], 'Notification');
    assert.equal(envelope['MessageId'], published.MessageId);
    assert.equal(envelope['Message'], 'order 42 shipped');
    assert.equal(envelope['TopicArn'], 'arn:aws:sns:us-east-1:000000000000:notices');
    // The function subscribed through its SAM SNS event got the SNS event (SNS developer guide "Fanout to Lambda functions").
    const alert = await until('the alerts function to run', () => logLines<{ Records: { EventSource: string; Sns: Record<string, string> }[] }>('alerts')[0]);
    assert.equal(alert.Records[0]!.EventSource, 'aws:sns');
    assert.equal(alert.Records[0]!.Sns['MessageId'], published.MessageId);
    assert.equal(alert.Records[0]!.Sns['Message'], 'order 42 shipped');
    // The other subscribed queue got the same notification.
    const audit = await sqs.send(new ReceiveMessageCommand({ QueueUrl: `${gw.gatehouse.awsUrl}/000000000000/audit`, WaitTimeSeconds: 2 }));
    assert.equal((JSON.parse(audit.Messages![0]!.Body!) as Record<string, string>)['MessageId'], published.MessageId);
    await until('the inbox to be drained', async () => {
      const counts = await queueCounts('inbox');
      return counts.visible === 0 && counts.inFlight === 0;
    });
  } finally {
    sns.destroy();
  }
});

interface KinesisEvent {
  Records: { kinesis: { data: string; partitionKey: string; sequenceNumber: string; kinesisSchemaVersion: string; approximateArrivalTimestamp: number }; eventID: string; eventSource: string; eventName: string; eventSourceARN: string }[];
}

// Lambda developer guide "Using Lambda with Kinesis Data Streams": records of a shard arrive in order; a failed
// batch is retried (the same records, in order) before the shard moves on.
test('Kinesis -> Lambda: each shard in order, a failed batch retried before the shard moves on', async () => {
  const kinesis = new KinesisClient(config());
  try {
    const keys = ['alpha', 'beta', 'gamma'];
    const records = Array.from({ length: 12 }, (_, i) => ({ PartitionKey: keys[i % 3]!, Data: Buffer.from(`c-${i}`) }));
    const put = await kinesis.send(new PutRecordsCommand({ StreamName: 'clicks', Records: records }));
    assert.equal(put.FailedRecordCount, 0);
    const events = await until('all 12 records', () => {
      const lines = logLines<KinesisEvent>('clicks');
      return lines.reduce((n, e) => n + e.Records.length, 0) >= 12 && lines;
    });
    const delivered = events.flatMap((e) => e.Records);
    assert.equal(delivered.length, 12, 'each record completed exactly once');
    assert.ok(existsSync(join(gw.dir, 'fn', 'failed-once')), 'one batch failed first');
    // Per partition key, the data arrives in the order it was put.
    for (const key of keys) {
      const expected = records.filter((r) => r.PartitionKey === key).map((r) => r.Data.toString());
      const got = delivered.filter((r) => r.kinesis.partitionKey === key).map((r) => Buffer.from(r.kinesis.data, 'base64').toString());
      assert.deepEqual(got, expected);
    }
    // Per shard, sequence numbers only grow.
    const shards = new Map<string, bigint[]>();
    for (const r of delivered) {
      const shard = r.eventID.split(':')[0]!;
      assert.equal(r.eventID, `${shard}:${r.kinesis.sequenceNumber}`);
      shards.set(shard, [...(shards.get(shard) ?? []), BigInt(r.kinesis.sequenceNumber)]);
    }
    for (const seqs of shards.values()) assert.deepEqual(seqs, [...seqs].sort((a, b) => (a < b ? -1 : 1)));
    const first = delivered[0]!;
    assert.equal(first.eventSource, 'aws:kinesis');
    assert.equal(first.eventName, 'aws:kinesis:record');
    assert.equal(first.eventSourceARN, 'arn:aws:kinesis:us-east-1:000000000000:stream/clicks');
    assert.equal(first.kinesis.kinesisSchemaVersion, '1.0');
    assert.ok(first.kinesis.approximateArrivalTimestamp > 1e9 && first.kinesis.approximateArrivalTimestamp < 1e11, 'epoch seconds');
    assert.ok(events.every((e) => e.Records.length <= 4), 'BatchSize 4');
  } finally {
    kinesis.destroy();
  }
});

interface DynamoEvent {
  Records: { eventName: string; eventSource: string; eventSourceARN: string; dynamodb: Record<string, unknown> }[];
}

// Lambda developer guide "Using AWS Lambda with Amazon DynamoDB": INSERT, MODIFY and REMOVE stream records, in order.
test('DynamoDB stream -> Lambda (AWS::Lambda::EventSourceMapping, LATEST)', async () => {
  const ddb = new DynamoDBClient(config());
  try {
    await ddb.send(new PutItemCommand({ TableName: 'orders', Item: { id: { S: 'o1' }, state: { S: 'new' } } }));
    await ddb.send(new UpdateItemCommand({ TableName: 'orders', Key: { id: { S: 'o1' } }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'state' }, ExpressionAttributeValues: { ':s': { S: 'paid' } } }));
    await ddb.send(new DeleteItemCommand({ TableName: 'orders', Key: { id: { S: 'o1' } } }));
    const records = await until('three stream records', () => {
      const all = logLines<DynamoEvent>('orders').flatMap((e) => e.Records);
      return all.length >= 3 && all;
    });
    assert.deepEqual(records.map((r) => r.eventName), ['INSERT', 'MODIFY', 'REMOVE']);
    assert.equal(records[0]!.eventSource, 'aws:dynamodb');
    assert.match(records[0]!.eventSourceARN, /^arn:aws:dynamodb:us-east-1:000000000000:table\/orders\/stream\//);
    assert.deepEqual(records[1]!.dynamodb['OldImage'], { id: { S: 'o1' }, state: { S: 'new' } });
    assert.deepEqual(records[1]!.dynamodb['NewImage'], { id: { S: 'o1' }, state: { S: 'paid' } });
    assert.deepEqual(records[2]!.dynamodb['Keys'], { id: { S: 'o1' } });
  } finally {
    ddb.destroy();
  }
});

// Lambda API reference: CreateEventSourceMapping (202), GetEventSourceMapping, ListEventSourceMappings,
// UpdateEventSourceMapping (202), DeleteEventSourceMapping (202, State Deleting); a second mapping of the same queue and function is a
// ResourceConflictException.
test('the Lambda API creates, lists, gets, updates and deletes mappings that trigger functions', async () => {
  const lambda = new LambdaClient(config());
  try {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'spare-jobs' }));
    const arn = 'arn:aws:sqs:us-east-1:000000000000:spare-jobs';
    const created = await lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'spare', EventSourceArn: arn, BatchSize: 5 }));
    assert.equal(created.State, 'Creating');
    assert.equal(created.FunctionArn, 'arn:aws:lambda:us-east-1:000000000000:function:spare');
    assert.equal(created.BatchSize, 5);
    await assert.rejects(lambda.send(new CreateEventSourceMappingCommand({ FunctionName: 'spare', EventSourceArn: arn })), (error: Error) => {
      assert.equal(error.name, 'ResourceConflictException');
      assert.match(error.message, new RegExp(`UUID ${created.UUID}$`));
      return true;
    });
    const got = await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    assert.equal(got.State, 'Enabled');
    assert.equal(got.EventSourceArn, arn);
    const listed = await lambda.send(new ListEventSourceMappingsCommand({ FunctionName: 'spare' }));
    assert.deepEqual(listed.EventSourceMappings!.map((m) => [m.UUID, m.State]), [[created.UUID, 'Enabled']]);
    const all = await lambda.send(new ListEventSourceMappingsCommand({}));
    assert.equal(all.EventSourceMappings!.length, 5, 'four from the template, one created');

    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'via the API' }));
    const events = await until('the spare function to run', () => {
      const lines = logLines<{ Records: SqsRecord[] }>('spare');
      return lines.length > 0 && lines;
    });
    assert.equal(events[0]!.Records[0]!.body, 'via the API');

    // UpdateEventSourceMapping (202, State Updating) merges the changes; a disabled mapping stops polling.
    const updated = await lambda.send(new UpdateEventSourceMappingCommand({ UUID: created.UUID, Enabled: false, BatchSize: 2 }));
    assert.equal(updated.State, 'Updating');
    const disabled = await lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID }));
    assert.deepEqual([disabled.State, disabled.BatchSize, disabled.EventSourceArn], ['Disabled', 2, arn]);
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'while disabled' }));
    const waiting = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    assert.equal(waiting.Messages?.[0]?.Body, 'while disabled');

    const deleted = await lambda.send(new DeleteEventSourceMappingCommand({ UUID: created.UUID }));
    assert.equal(deleted.State, 'Deleting');
    await assert.rejects(lambda.send(new GetEventSourceMappingCommand({ UUID: created.UUID })), { name: 'ResourceNotFoundException' });
  } finally {
    lambda.destroy();
  }
});
