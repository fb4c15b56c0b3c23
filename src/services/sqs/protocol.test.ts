// SQS's two wire protocols as clients other than SDK v3 use them: the query protocol with form
// bodies (API Gateway AWS integrations, older SDKs), its XML and JSON answers, the JSON protocol's
// error headers, and the AWS CLI v1. AWS docs: Amazon SQS API Reference, "Making Query API
// requests" (parameters, XML responses), "Common Errors"; SQS Developer Guide "Making query API
// requests using AWS JSON protocol" (x-amzn-query-error); API Gateway Developer Guide "Tutorial:
// Build a REST API as an Amazon SQS proxy" (path override {account}/{queue}, Action=SendMessage).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sqsService } from './index.js';
import { awsCli, queryCall, startEndpoint, type TestEndpoint } from './testing.js';

let endpoint: TestEndpoint;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

before(async () => {
  endpoint = await startEndpoint({ factories: [sqsService] });
});
after(() => endpoint.close());

async function json(target: string, body: unknown): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(endpoint.url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSQS.${target}` },
    body: JSON.stringify(body),
  });
  return { status: response.status, headers: response.headers, body: (await response.json()) as Record<string, unknown> };
}

async function create(name: string): Promise<string> {
  const created = await json('CreateQueue', { QueueName: name });
  return created.body['QueueUrl'] as string;
}

async function receiveAll(url: string): Promise<Record<string, unknown>[]> {
  const got = await json('ReceiveMessage', { QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], VisibilityTimeout: 0 });
  return (got.body['Messages'] as Record<string, unknown>[] | undefined) ?? [];
}

describe('query protocol', () => {
  it('takes the queue from the path and answers the JSON form API Gateway gets', async () => {
    const url = await create('gw-passthrough');
    // What API Gateway sends for sqs:path/{account}/{queue} with Action=SendMessage&MessageBody=$util.urlEncode($input.body).
    const response = await queryCall(endpoint.url, { Action: 'SendMessage', MessageBody: '{"status": "ok"}' }, { path: '/000000000000/gw-passthrough', accept: 'application/json' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^application\/json/);
    const body = JSON.parse(response.body) as { SendMessageResponse: { ResponseMetadata: { RequestId: string }; SendMessageResult: Record<string, unknown> } };
    // The shape observed from SQS through API Gateway (shared conformance case sqs/rest-passthrough-json-shape).
    assert.match(body.SendMessageResponse.ResponseMetadata.RequestId, uuid);
    const result = body.SendMessageResponse.SendMessageResult;
    assert.deepEqual(Object.keys(result), ['MD5OfMessageAttributes', 'MD5OfMessageBody', 'MD5OfMessageSystemAttributes', 'MessageId', 'SequenceNumber']);
    assert.equal(result['MD5OfMessageAttributes'], null);
    assert.equal(result['MD5OfMessageBody'], '0d7ac2dec5f281678f65dcf7fe4681ba');
    assert.equal(result['MD5OfMessageSystemAttributes'], null);
    assert.match(result['MessageId'] as string, uuid);
    assert.equal(result['SequenceNumber'], null);
    const [message] = await receiveAll(url);
    assert.equal(message!['Body'], '{"status": "ok"}');
  });

  it('accepts both MessageAttribute.N and MessageAttributes.N', async () => {
    // Conformance case sqs/message-attributes: SQS accepts both query-protocol prefixes.
    for (const prefix of ['MessageAttribute', 'MessageAttributes']) {
      const url = await create(`gw-attr-${prefix.length}`);
      const response = await queryCall(
        endpoint.url,
        {
          Action: 'SendMessage',
          MessageBody: '{"foo": "bar"}',
          [`${prefix}.1.Name`]: 'user-agent',
          [`${prefix}.1.Value.DataType`]: 'String',
          [`${prefix}.1.Value.StringValue`]: 'BAR-Header',
        },
        { path: new URL(url).pathname },
      );
      assert.equal(response.status, 200, response.body);
      const [message] = await receiveAll(url);
      assert.deepEqual(message!['MessageAttributes'], { 'user-agent': { DataType: 'String', StringValue: 'BAR-Header' } });
    }
  });

  it('lists received messages under `messages` in the JSON form, null when the queue is empty', async () => {
    // aws-samples/serverless-patterns, REST API -> SQS ReceiveMessage pattern README, "Expected Output":
    // {"ReceiveMessageResponse":{"ReceiveMessageResult":{"messages":null},...}} for an empty queue and
    // messages [{"Attributes":null,"Body":...,"MD5OfMessageAttributes":null,"MessageAttributes":null,...}].
    const url = await create('gw-receive-json');
    const path = new URL(url).pathname;
    const empty = await queryCall(endpoint.url, { Action: 'ReceiveMessage' }, { path, accept: 'application/json' });
    assert.equal(empty.status, 200);
    const emptyBody = JSON.parse(empty.body) as { ReceiveMessageResponse: { ReceiveMessageResult: unknown } };
    assert.deepEqual(emptyBody.ReceiveMessageResponse.ReceiveMessageResult, { messages: null });
    await queryCall(endpoint.url, { Action: 'SendMessage', MessageBody: 'one' }, { path });
    const got = await queryCall(endpoint.url, { Action: 'ReceiveMessage' }, { path, accept: 'application/json' });
    const [message] = (JSON.parse(got.body) as { ReceiveMessageResponse: { ReceiveMessageResult: { messages: Record<string, unknown>[] } } })
      .ReceiveMessageResponse.ReceiveMessageResult.messages;
    assert.deepEqual(Object.keys(message!), ['Attributes', 'Body', 'MD5OfBody', 'MD5OfMessageAttributes', 'MessageAttributes', 'MessageId', 'ReceiptHandle']);
    assert.equal(message!['Body'], 'one');
    assert.equal(message!['Attributes'], null);
    assert.equal(message!['MessageAttributes'], null);
  });

  it('answers XML with SQS flattened lists and maps', async () => {
    const url = await create('xml-queue');
    // action/SendMessage form: QueueUrl as a parameter, POST to the endpoint root.
    const sent = await queryCall(endpoint.url, {
      Action: 'SendMessage',
      QueueUrl: url,
      MessageBody: 'a<b>&c',
      'MessageAttribute.1.Name': 'n',
      'MessageAttribute.1.Value.DataType': 'Number',
      'MessageAttribute.1.Value.StringValue': '42',
    });
    assert.equal(sent.status, 200);
    assert.match(sent.headers.get('content-type')!, /^text\/xml/);
    assert.match(sent.body, /<SendMessageResponse xmlns="http:\/\/queue.amazonaws.com\/doc\/2012-11-05\/"><SendMessageResult>/);
    assert.match(sent.body, /<MD5OfMessageBody>[0-9a-f]{32}<\/MD5OfMessageBody>/);
    const received = await queryCall(endpoint.url, {
      Action: 'ReceiveMessage',
      QueueUrl: url,
      'AttributeName.1': 'ApproximateReceiveCount',
      'MessageAttributeName.1': 'All',
      MaxNumberOfMessages: '10',
    });
    assert.match(received.body, /<ReceiveMessageResult><Message><MessageId>/);
    assert.match(received.body, /<Body>a&lt;b&gt;&amp;c<\/Body>/);
    assert.match(received.body, /<Attribute><Name>ApproximateReceiveCount<\/Name><Value>1<\/Value><\/Attribute>/);
    assert.match(received.body, /<MessageAttribute><Name>n<\/Name><Value><DataType>Number<\/DataType><StringValue>42<\/StringValue><\/Value><\/MessageAttribute>/);
    const attributes = await queryCall(endpoint.url, { Action: 'GetQueueAttributes', QueueUrl: url, 'AttributeName.1': 'All' });
    assert.match(attributes.body, /<Attribute><Name>QueueArn<\/Name><Value>arn:aws:sqs:us-east-1:000000000000:xml-queue<\/Value><\/Attribute>/);
    const listed = await queryCall(endpoint.url, { Action: 'ListQueues', QueueNamePrefix: 'xml-' });
    assert.match(listed.body, new RegExp(`<ListQueuesResult><QueueUrl>${url}</QueueUrl></ListQueuesResult>`));
    const batch = await queryCall(endpoint.url, {
      Action: 'SendMessageBatch',
      QueueUrl: url,
      'SendMessageBatchRequestEntry.1.Id': 'one',
      'SendMessageBatchRequestEntry.1.MessageBody': 'b1',
      'SendMessageBatchRequestEntry.2.Id': 'two',
      'SendMessageBatchRequestEntry.2.MessageBody': '',
    });
    assert.match(batch.body, /<SendMessageBatchResultEntry><Id>one<\/Id>/);
    assert.match(batch.body, /<BatchResultErrorEntry><Id>two<\/Id><SenderFault>true<\/SenderFault><Code>MissingParameter<\/Code>/);
  });

  it('answers query errors in XML, or in JSON for Accept: application/json', async () => {
    // "Common Errors" / GetQueueUrl: AWS.SimpleQueueService.NonExistentQueue, 400, Sender.
    const xml = await queryCall(endpoint.url, { Action: 'GetQueueUrl', QueueName: 'missing' });
    assert.equal(xml.status, 400);
    assert.match(xml.body, /<Error><Type>Sender<\/Type><Code>AWS.SimpleQueueService.NonExistentQueue<\/Code><Message>The specified queue does not exist.<\/Message><\/Error>/);
    const asJson = await queryCall(endpoint.url, { Action: 'SendMessage', MessageBody: 'x' }, { path: '/000000000000/missing', accept: 'application/json' });
    assert.equal(asJson.status, 400);
    const body = JSON.parse(asJson.body) as { Error: Record<string, string>; RequestId: string };
    assert.deepEqual(body.Error, { Code: 'AWS.SimpleQueueService.NonExistentQueue', Message: 'The specified queue does not exist.', Type: 'Sender' });
    // An action SQS does not have, signed for sqs (credential scope .../sqs/aws4_request): InvalidAction.
    const unknown = await queryCall(
      endpoint.url,
      { Action: 'Frobnicate', Version: '2012-11-05' },
      { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20250101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=00' } },
    );
    assert.equal(unknown.status, 400);
    assert.match(unknown.body, /<Code>InvalidAction<\/Code>/);
  });
});

describe('JSON protocol', () => {
  it('names errors by __type and the query code in x-amzn-query-error', async () => {
    const response = await json('GetQueueUrl', { QueueName: 'missing' });
    assert.equal(response.status, 400);
    assert.equal(response.body['__type'], 'com.amazonaws.sqs#QueueDoesNotExist');
    assert.equal(response.body['message'], 'The specified queue does not exist.');
    assert.equal(response.headers.get('x-amzn-query-error'), 'AWS.SimpleQueueService.NonExistentQueue;Sender');
    assert.match(response.headers.get('content-type')!, /^application\/x-amz-json-1.0/);
  });
});

describe('AWS CLI v1', () => {
  it('creates, sends, receives and deletes', { timeout: 60_000 }, async () => {
    const created = await awsCli(endpoint.url, ['sqs', 'create-queue', '--queue-name', 'cli-queue']);
    assert.equal(created.code, 0, created.stderr);
    const url = (created.json as { QueueUrl: string }).QueueUrl;
    const sent = await awsCli(endpoint.url, [
      'sqs',
      'send-message',
      '--queue-url',
      url,
      '--message-body',
      'from the CLI',
      '--message-attributes',
      '{"City":{"DataType":"String","StringValue":"Any City"}}',
    ]);
    assert.equal(sent.code, 0, sent.stderr);
    const received = await awsCli(endpoint.url, ['sqs', 'receive-message', '--queue-url', url, '--message-attribute-names', 'All', '--attribute-names', 'All']);
    assert.equal(received.code, 0, received.stderr);
    const message = (received.json as { Messages: { Body: string; ReceiptHandle: string; MessageAttributes: unknown }[] }).Messages[0]!;
    assert.equal(message.Body, 'from the CLI');
    assert.deepEqual(message.MessageAttributes, { City: { DataType: 'String', StringValue: 'Any City' } });
    const deleted = await awsCli(endpoint.url, ['sqs', 'delete-message', '--queue-url', url, '--receipt-handle', message.ReceiptHandle]);
    assert.equal(deleted.code, 0, deleted.stderr);
    const missing = await awsCli(endpoint.url, ['sqs', 'get-queue-url', '--queue-name', 'no-such']);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /AWS\.SimpleQueueService\.NonExistentQueue.*The specified queue does not exist\./);
  });
});
