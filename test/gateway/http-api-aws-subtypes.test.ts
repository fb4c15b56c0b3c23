/**
 * HTTP API first-class SQS and Kinesis integrations: each subtype's request parameters become the
 * action's members (lists, numbers, JSON maps and blobs typed as the action takes them); the queue
 * and the stream are checked with @aws-sdk/client-sqs / client-kinesis.
 * AWS docs: API Gateway Developer Guide, "Integration subtype reference"
 * (http-api-develop-integrations-aws-services-reference.html: SQS-SendMessage takes QueueUrl,
 * MessageBody, DelaySeconds, MessageAttributes, MessageDeduplicationId, MessageGroupId,
 * MessageSystemAttributes, Region; SQS-ReceiveMessage takes QueueUrl, AttributeNames,
 * MaxNumberOfMessages, MessageAttributeNames, ReceiveRequestAttemptId, VisibilityTimeout,
 * WaitTimeSeconds, Region) and "Working with AWS service integrations for HTTP APIs" (parameter
 * mapping: $request.header.name, $request.body.name, static values). Status codes: LocalStack's
 * AWS-validated tests TestHttpApiAwsProxySubtypeKinesis (test_apigw_v2_http_kinesis_put_record_no_stream:
 * a mapped parameter that is missing or empty answers 400, a stream that does not exist 500).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { KinesisClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-kinesis';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

function route(subtype: string, requestParameters: Record<string, string>): object {
  return {
    post: {
      responses: { default: { description: 'service answer' } },
      'x-amazon-apigateway-integration': { type: 'aws_proxy', integrationSubtype: subtype, payloadFormatVersion: '1.0', requestParameters },
    },
  };
}

const QUEUE = 'http-subtype-queue';

const TEMPLATE = {
  Transform: 'AWS::Serverless-2016-10-31',
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: QUEUE } },
    Fifo: { Type: 'AWS::SQS::Queue', Properties: { QueueName: `${QUEUE}.fifo`, FifoQueue: true } },
    Stream: { Type: 'AWS::Kinesis::Stream', Properties: { Name: 'http-subtype-stream', ShardCount: 1 } },
    Api: {
      Type: 'AWS::Serverless::HttpApi',
      Properties: {
        DefinitionBody: {
          openapi: '3.0.1',
          info: { title: 'subtypes', version: '1' },
          paths: {
            '/send': route('SQS-SendMessage', {
              QueueUrl: '$request.header.queue',
              MessageBody: '$request.body.text',
              MessageAttributes: '$request.body.attributes',
              MessageSystemAttributes: '$request.body.system',
            }),
            '/send-fifo': route('SQS-SendMessage', {
              QueueUrl: '$request.header.queue',
              MessageBody: '$request.body.text',
              MessageGroupId: '$request.body.group',
              MessageDeduplicationId: '$request.body.dedup',
            }),
            '/delete': route('SQS-DeleteMessage', { QueueUrl: '$request.header.queue', ReceiptHandle: '$request.body.handle' }),
            '/put': route('Kinesis-PutRecord', { StreamName: '$request.header.stream', Data: '$request.body', PartitionKey: '$request.header.key' }),
            '/receive': route('SQS-ReceiveMessage', {
              QueueUrl: '$request.header.queue',
              AttributeNames: '$request.querystring.attributes',
              MessageAttributeNames: '$request.querystring.messageAttributes',
              MaxNumberOfMessages: '10',
              ReceiveRequestAttemptId: '$request.querystring.attempt',
              VisibilityTimeout: '0',
            }),
          },
        },
      },
    },
  },
};

let gw: TestGateway;
let sqs: SQSClient;
let kinesis: KinesisClient;
let queueUrl: string;

before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml' });
  const config = { endpoint: gw.gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } };
  sqs = new SQSClient(config);
  kinesis = new KinesisClient(config);
  queueUrl = `${gw.gatehouse.awsUrl}/000000000000/${QUEUE}`;
});
after(async () => {
  sqs?.destroy();
  kinesis?.destroy();
  await gw?.close();
});

const post = (path: string, queue: string, body?: unknown) =>
  gw.call('POST', path, { headers: { 'content-type': 'application/json', queue }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

test('SQS-SendMessage passes message and system attributes', async () => {
  const sent = await post('/send', queueUrl, {
    text: 'with attributes',
    attributes: { color: { DataType: 'String', StringValue: 'red' }, size: { DataType: 'Number', StringValue: '3' } },
    system: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } },
  });
  assert.equal(sent.status, 200, sent.text);
  const answer = sent.json() as Record<string, string>;
  assert.match(answer['MD5OfMessageAttributes']!, /^[0-9a-f]{32}$/);
  assert.match(answer['MD5OfMessageSystemAttributes']!, /^[0-9a-f]{32}$/);
  const received = await post(`/receive?attributes=AWSTraceHeader,ApproximateReceiveCount&messageAttributes=color&attempt=a1`, queueUrl);
  assert.equal(received.status, 200, received.text);
  const [message] = (received.json() as { Messages: Record<string, unknown>[] }).Messages;
  assert.equal(message!['Body'], 'with attributes');
  // MessageAttributeNames [color] returns only that attribute; AttributeNames lists the system attributes asked for.
  assert.deepEqual(message!['MessageAttributes'], { color: { DataType: 'String', StringValue: 'red' } });
  assert.deepEqual(message!['Attributes'], { AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793', ApproximateReceiveCount: '1' });
});

test('SQS-ReceiveMessage takes AttributeNames and MessageAttributeNames as a JSON array too', async () => {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'json lists', MessageAttributes: { a: { DataType: 'String', StringValue: '1' } } }));
  const received = await post(`/receive?attributes=${encodeURIComponent('["SentTimestamp"]')}&messageAttributes=${encodeURIComponent('["All"]')}&attempt=a2`, queueUrl);
  const messages = (received.json() as { Messages: Record<string, unknown>[] }).Messages;
  const message = messages.find((m) => m['Body'] === 'json lists')!;
  assert.deepEqual(Object.keys(message['Attributes'] as object), ['SentTimestamp']);
  assert.deepEqual(message['MessageAttributes'], { a: { DataType: 'String', StringValue: '1' } });
});

test('SQS-SendMessage and SQS-ReceiveMessage on a FIFO queue: group, deduplication id and receive attempt id', async () => {
  const fifo = `${queueUrl}.fifo`;
  for (const dedup of ['d1', 'd1', 'd2']) {
    const sent = await post('/send-fifo', fifo, { text: `fifo ${dedup}`, group: 'g', dedup });
    assert.equal(sent.status, 200, sent.text);
    // SQS API Reference, SendMessage: FIFO queues answer a SequenceNumber.
    assert.match((sent.json() as Record<string, string>)['SequenceNumber']!, /^\d+$/);
  }
  const received = await post('/receive?attributes=MessageGroupId&messageAttributes=All&attempt=attempt-1', fifo);
  assert.equal(received.status, 200, received.text);
  const messages = (received.json() as { Messages: Record<string, unknown>[] }).Messages;
  // The duplicate d1 was accepted but not delivered twice (SQS Developer Guide, "Exactly-once processing").
  assert.deepEqual(messages.map((m) => m['Body']), ['fifo d1', 'fifo d2']);
  assert.deepEqual(messages[0]!['Attributes'], { MessageGroupId: 'g' });
});

test('a mapped parameter that is missing or empty answers 400 Bad Request before any call', async () => {
  const system = { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } };
  for (const body of [{ attributes: {}, system }, { text: '', attributes: {}, system }, { text: 'no system attributes', attributes: {} }]) {
    const sent = await post('/send', queueUrl, body);
    assert.equal(sent.status, 400, sent.text);
    assert.deepEqual(sent.json(), { message: 'Bad Request' });
  }
  // A value the action cannot take (MessageAttributes that are not JSON) is refused the same way.
  const notJson = await gw.call('POST', '/send', { headers: { 'content-type': 'application/json', queue: queueUrl }, body: '{"text": "x", "attributes": "nope", "system": {}}' });
  assert.equal(notJson.status, 400, notJson.text);
});

test('a service error answers 500 Internal Server Error', async () => {
  const missingQueue = await post('/send', `${queueUrl}-missing`, { text: 'x', attributes: {}, system: {} });
  assert.equal(missingQueue.status, 500, missingQueue.text);
  assert.deepEqual(missingQueue.json(), { message: 'Internal Server Error' });
  const badHandle = await post('/delete', queueUrl, { handle: 'not-a-receipt-handle' });
  assert.equal(badHandle.status, 500, badHandle.text);
  const missingStream = await gw.call('POST', '/put', { headers: { stream: 'no-such-stream', key: 'k' }, body: '{"a": 1}' });
  assert.equal(missingStream.status, 500, missingStream.text);
});

test('Kinesis-PutRecord stores the mapped text as the record data and answers SequenceNumber and ShardId', async () => {
  // Data mapped from the raw $request.body (a JSON document, not base64) is put as those bytes.
  const body = '{"level": "info", "text": "hello"}';
  const put = await gw.call('POST', '/put', { headers: { 'content-type': 'application/json', stream: 'http-subtype-stream', key: 'p1' }, body });
  assert.equal(put.status, 200, put.text);
  const answer = put.json() as Record<string, string>;
  assert.equal(answer['ShardId'], 'shardId-000000000000');
  assert.match(answer['SequenceNumber']!, /^\d+$/);
  const { ShardIterator } = await kinesis.send(new GetShardIteratorCommand({ StreamName: 'http-subtype-stream', ShardId: 'shardId-000000000000', ShardIteratorType: 'TRIM_HORIZON' }));
  const { Records } = await kinesis.send(new GetRecordsCommand({ ShardIterator }));
  assert.equal(Records!.length, 1);
  assert.equal(Buffer.from(Records![0]!.Data!).toString('utf8'), body);
  assert.equal(Records![0]!.PartitionKey, 'p1');
  assert.equal(Records![0]!.SequenceNumber, answer['SequenceNumber']);
});
