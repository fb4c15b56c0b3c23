/**
 * HTTP API first-class SQS integrations: each subtype's request parameters become the SQS action's
 * members (lists, numbers and JSON maps typed as the action takes them), and the queue is checked
 * with @aws-sdk/client-sqs.
 * AWS docs: API Gateway Developer Guide, "Integration subtype reference"
 * (http-api-develop-integrations-aws-services-reference.html: SQS-SendMessage takes QueueUrl,
 * MessageBody, DelaySeconds, MessageAttributes, MessageDeduplicationId, MessageGroupId,
 * MessageSystemAttributes, Region; SQS-ReceiveMessage takes QueueUrl, AttributeNames,
 * MaxNumberOfMessages, MessageAttributeNames, ReceiveRequestAttemptId, VisibilityTimeout,
 * WaitTimeSeconds, Region) and "Working with AWS service integrations for HTTP APIs" (parameter
 * mapping: $request.header.name, $request.body.name, static values).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
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
              DelaySeconds: '$request.body.delay',
              MessageAttributes: '$request.body.attributes',
              MessageSystemAttributes: '$request.body.system',
              MessageGroupId: '$request.body.group',
              MessageDeduplicationId: '$request.body.dedup',
            }),
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
let queueUrl: string;

before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml' });
  sqs = new SQSClient({ endpoint: gw.gatehouse.awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  queueUrl = `${gw.gatehouse.awsUrl}/000000000000/${QUEUE}`;
});
after(async () => {
  sqs?.destroy();
  await gw?.close();
});

const post = (path: string, queue: string, body?: unknown) =>
  gw.call('POST', path, { headers: { 'content-type': 'application/json', queue }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });

test('SQS-SendMessage passes message and system attributes; a mapping that finds nothing is left out', async () => {
  const sent = await post('/send', queueUrl, {
    text: 'with attributes',
    attributes: { color: { DataType: 'String', StringValue: 'red' }, size: { DataType: 'Number', StringValue: '3' } },
    system: { AWSTraceHeader: { DataType: 'String', StringValue: 'Root=1-5759e988-bd862e3fe1be46a994272793' } },
  });
  // No delay/group/dedup in the body: those members are absent, not 0 or "" (a standard queue rejects a MessageGroupId of "").
  assert.equal(sent.status, 200, sent.text);
  const answer = sent.json() as Record<string, string>;
  assert.match(answer['MD5OfMessageAttributes']!, /^[0-9a-f]{32}$/);
  assert.match(answer['MD5OfMessageSystemAttributes']!, /^[0-9a-f]{32}$/);
  const received = await post(`/receive?attributes=AWSTraceHeader,ApproximateReceiveCount&messageAttributes=color`, queueUrl);
  assert.equal(received.status, 200, received.text);
  const [message] = (received.json() as { Messages: Record<string, unknown>[] }).Messages;
  assert.equal(message!['Body'], 'with attributes');
  // MessageAttributeNames [color] returns only that attribute; AttributeNames lists the system attributes asked for.
  assert.deepEqual(message!['MessageAttributes'], { color: { DataType: 'String', StringValue: 'red' } });
  assert.deepEqual(message!['Attributes'], { AWSTraceHeader: 'Root=1-5759e988-bd862e3fe1be46a994272793', ApproximateReceiveCount: '1' });
});

test('SQS-ReceiveMessage takes AttributeNames and MessageAttributeNames as a JSON array too', async () => {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'json lists', MessageAttributes: { a: { DataType: 'String', StringValue: '1' } } }));
  const received = await post(`/receive?attributes=${encodeURIComponent('["SentTimestamp"]')}&messageAttributes=${encodeURIComponent('["All"]')}`, queueUrl);
  const messages = (received.json() as { Messages: Record<string, unknown>[] }).Messages;
  const message = messages.find((m) => m['Body'] === 'json lists')!;
  assert.deepEqual(Object.keys(message['Attributes'] as object), ['SentTimestamp']);
  assert.deepEqual(message['MessageAttributes'], { a: { DataType: 'String', StringValue: '1' } });
});

test('SQS-SendMessage and SQS-ReceiveMessage on a FIFO queue: group, deduplication id and receive attempt id', async () => {
  const fifo = `${queueUrl}.fifo`;
  for (const dedup of ['d1', 'd1', 'd2']) {
    const sent = await post('/send', fifo, { text: `fifo ${dedup}`, group: 'g', dedup });
    assert.equal(sent.status, 200, sent.text);
    // SQS API Reference, SendMessage: FIFO queues answer a SequenceNumber.
    assert.match((sent.json() as Record<string, string>)['SequenceNumber']!, /^\d+$/);
  }
  const received = await post('/receive?attributes=MessageGroupId&attempt=attempt-1', fifo);
  assert.equal(received.status, 200, received.text);
  const messages = (received.json() as { Messages: Record<string, unknown>[] }).Messages;
  // The duplicate d1 was accepted but not delivered twice (SQS Developer Guide, "Exactly-once processing").
  assert.deepEqual(messages.map((m) => m['Body']), ['fifo d1', 'fifo d2']);
  assert.deepEqual(messages[0]!['Attributes'], { MessageGroupId: 'g' });
});
