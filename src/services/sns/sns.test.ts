// The embedded SNS through AWS SDK v3 (@aws-sdk/client-sns speaks the query protocol), the AWS CLI
// v1 and raw HTTP, delivering into the embedded SQS, a recording Lambda invoker and a local HTTP
// endpoint. AWS facts cite the Amazon SNS API Reference and the SNS Developer Guide pages named
// next to each test.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ConfirmSubscriptionCommand,
  CreateTopicCommand,
  DeleteTopicCommand,
  GetSubscriptionAttributesCommand,
  GetTopicAttributesCommand,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  PublishBatchCommand,
  PublishCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient, type Message } from '@aws-sdk/client-sqs';
import { sqsService } from '../sqs/index.js';
import { awsCli, CREDENTIALS, queryCall, resource, startEndpoint, type TestEndpoint } from '../sqs/testing.js';
import { snsService } from './index.js';

interface Invocation {
  target: string;
  payload: string;
  invocationType: string | undefined;
}

const invocations: Invocation[] = [];
const lambda = {
  async invoke(target: string, payload: string, opts?: { invocationType?: 'RequestResponse' | 'Event' }) {
    invocations.push({ target, payload, invocationType: opts?.invocationType });
    return {};
  },
};

let endpoint: TestEndpoint;
let sns: SNSClient;
let sqs: SQSClient;

before(async () => {
  endpoint = await startEndpoint({ factories: [sqsService, (context) => snsService(context, { lambda, httpRetryDelaysMs: [50, 50] })] });
  sns = new SNSClient({ region: 'us-east-1', endpoint: endpoint.url, credentials: CREDENTIALS, maxAttempts: 1 });
  sqs = new SQSClient({ region: 'us-east-1', endpoint: endpoint.url, credentials: CREDENTIALS, maxAttempts: 1 });
});
after(async () => {
  sns.destroy();
  sqs.destroy();
  await endpoint.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function topic(name: string, attributes?: Record<string, string>): Promise<string> {
  return (await sns.send(new CreateTopicCommand({ Name: name, Attributes: attributes }))).TopicArn!;
}

async function queue(name: string, attributes?: Record<string, string>): Promise<{ url: string; arn: string }> {
  const url = (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
  return { url, arn: `arn:aws:sqs:us-east-1:000000000000:${name}` };
}

async function drain(url: string): Promise<Message[]> {
  const all: Message[] = [];
  for (;;) {
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    if (got.Messages === undefined) return all;
    all.push(...got.Messages);
  }
}

describe('topics', () => {
  it('creates idempotently, lists, describes, deletes', async () => {
    const arn = await topic('t-basic', { DisplayName: 'Basic' });
    // CreateTopic: "This action is idempotent, so if the requester already owns a topic with the
    // specified name, that topic's ARN is returned without creating a new topic."
    assert.equal(await topic('t-basic', { DisplayName: 'Basic' }), arn);
    assert.equal(arn, 'arn:aws:sns:us-east-1:000000000000:t-basic');
    const listed = await sns.send(new ListTopicsCommand({}));
    assert.ok(listed.Topics!.some((t) => t.TopicArn === arn));
    const attributes = (await sns.send(new GetTopicAttributesCommand({ TopicArn: arn }))).Attributes!;
    assert.equal(attributes['DisplayName'], 'Basic');
    assert.equal(attributes['TopicArn'], arn);
    assert.equal(attributes['Owner'], '000000000000');
    await sns.send(new DeleteTopicCommand({ TopicArn: arn }));
    // Publish errors: NotFoundException, "Indicates that the requested resource does not exist."
    await assert.rejects(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x' })), { name: 'NotFoundException', message: 'Topic does not exist' });
    await assert.rejects(sns.send(new PublishCommand({ TopicArn: 'not-an-arn', Message: 'x' })), { name: 'InvalidParameterException' });
  });
});

describe('SNS to SQS', () => {
  it('delivers the Notification envelope as AWS sends it', async () => {
    const arn = await topic('t-envelope');
    const q = await queue('q-envelope');
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn }));
    assert.match(SubscriptionArn!, new RegExp(`^${arn}:[0-9a-f-]{36}$`));
    const published = await sns.send(
      new PublishCommand({
        TopicArn: arn,
        Subject: 'Order placed',
        Message: 'order 42 placed',
        MessageAttributes: { kind: { DataType: 'String', StringValue: 'order' }, total: { DataType: 'Number', StringValue: '42' } },
      }),
    );
    const [message] = await drain(q.url);
    const envelope = JSON.parse(message!.Body!) as Record<string, unknown>;
    // SNS Developer Guide, "Amazon SNS message and JSON formats" > "HTTP/HTTPS notification JSON format".
    assert.deepEqual(Object.keys(envelope), [
      'Type',
      'MessageId',
      'TopicArn',
      'Subject',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertURL',
      'UnsubscribeURL',
      'MessageAttributes',
    ]);
    assert.equal(envelope['Type'], 'Notification');
    assert.equal(envelope['MessageId'], published.MessageId);
    assert.equal(envelope['TopicArn'], arn);
    assert.equal(envelope['Subject'], 'Order placed');
    assert.equal(envelope['Message'], 'order 42 placed');
    assert.match(envelope['Timestamp'] as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(envelope['SignatureVersion'], '1');
    assert.deepEqual(envelope['MessageAttributes'], { kind: { Type: 'String', Value: 'order' }, total: { Type: 'Number', Value: '42' } });
    // The envelope is SNS's layout: "Key" : value lines.
    assert.match(message!.Body!, /^\{\n {2}"Type" : "Notification",\n {2}"MessageId" : "/);
    // Without raw delivery the SNS attributes are inside the envelope, not SQS message attributes.
    assert.equal(message!.MessageAttributes, undefined);

    // No Subject: the field is left out; the UnsubscribeURL unsubscribes (a GET, as from a browser).
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'no subject' }));
    const [plain] = await drain(q.url);
    const second = JSON.parse(plain!.Body!) as Record<string, string>;
    assert.equal('Subject' in second, false);
    assert.equal('MessageAttributes' in second, false);
    // SNS Developer Guide, "HTTP/HTTPS notification JSON format": the subscription ARN is in the URL as is.
    assert.equal(second['UnsubscribeURL'], `${endpoint.url}/?Action=Unsubscribe&SubscriptionArn=${SubscriptionArn}`);
    const unsubscribe = await fetch(second['UnsubscribeURL']!);
    assert.equal(unsubscribe.status, 200);
    assert.match(await unsubscribe.text(), /<UnsubscribeResponse/);
    assert.deepEqual((await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions, []);
  });

  it('delivers the raw message with its attributes under RawMessageDelivery', async () => {
    // SNS Developer Guide, "Amazon SNS raw message delivery": the message is delivered as is, and
    // message attributes become SQS message attributes.
    const arn = await topic('t-raw');
    const q = await queue('q-raw');
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'hello raw', MessageAttributes: { City: { DataType: 'String', StringValue: 'Any City' } } }));
    const [message] = await drain(q.url);
    assert.equal(message!.Body, 'hello raw');
    assert.deepEqual(message!.MessageAttributes, { City: { DataType: 'String', StringValue: 'Any City' } });
    const attributes = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    assert.equal(attributes['RawMessageDelivery'], 'true');
    assert.equal(attributes['PendingConfirmation'], 'false');
    assert.equal(attributes['Protocol'], 'sqs');
  });

  it('applies filter policies on attributes and on the body', async () => {
    const arn = await topic('t-filter');
    const all = await queue('q-filter-all');
    const placed = await queue('q-filter-placed');
    const big = await queue('q-filter-big');
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: all.arn }));
    const { SubscriptionArn } = await sns.send(
      new SubscribeCommand({
        TopicArn: arn,
        Protocol: 'sqs',
        Endpoint: placed.arn,
        Attributes: { RawMessageDelivery: 'true', FilterPolicy: JSON.stringify({ event: ['order_placed'], store: [{ prefix: 'eu-' }], price: [{ numeric: ['>=', 10] }] }) },
      }),
    );
    await sns.send(
      new SubscribeCommand({
        TopicArn: arn,
        Protocol: 'sqs',
        Endpoint: big.arn,
        Attributes: { RawMessageDelivery: 'true', FilterPolicyScope: 'MessageBody', FilterPolicy: JSON.stringify({ order: { total: [{ numeric: ['>', 100] }] } }) },
      }),
    );
    const attrs = (event: string, store: string, price: string) => ({
      event: { DataType: 'String', StringValue: event },
      store: { DataType: 'String', StringValue: store },
      price: { DataType: 'Number', StringValue: price },
    });
    await sns.send(new PublishCommand({ TopicArn: arn, Message: JSON.stringify({ order: { total: 500 } }), MessageAttributes: attrs('order_placed', 'eu-west', '12') }));
    await sns.send(new PublishCommand({ TopicArn: arn, Message: JSON.stringify({ order: { total: 5 } }), MessageAttributes: attrs('order_placed', 'us-east', '12') }));
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'not json', MessageAttributes: attrs('order_cancelled', 'eu-west', '12') }));
    await sns.send(new PublishCommand({ TopicArn: arn, Message: JSON.stringify({ order: { total: 101 } }), MessageAttributes: attrs('order_placed', 'eu-north', '9') }));
    assert.equal((await drain(all.url)).length, 4);
    assert.deepEqual((await drain(placed.url)).map((m) => JSON.parse(m.Body!).order.total), [500]);
    assert.deepEqual((await drain(big.url)).map((m) => JSON.parse(m.Body!).order.total), [500, 101]);
    const subscription = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn }))).Attributes!;
    assert.equal(subscription['FilterPolicyScope'], 'MessageAttributes');
    await assert.rejects(
      sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn, AttributeName: 'FilterPolicy', AttributeValue: '{"a": "not a list"}' })),
      { name: 'InvalidParameterException' },
    );
  });

  it('FIFO topic to FIFO queue: group order, deduplication, sequence numbers', async () => {
    // SNS Developer Guide, "Message ordering and deduplication (FIFO topics)".
    const arn = await topic('t-ordered.fifo', { FifoTopic: 'true', ContentBasedDeduplication: 'true' });
    const q = await queue('q-ordered.fifo', { FifoQueue: 'true' });
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
    await assert.rejects(sns.send(new PublishCommand({ TopicArn: arn, Message: 'x' })), { name: 'InvalidParameterException' });
    const first = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'one', MessageGroupId: 'g' }));
    const second = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'two', MessageGroupId: 'g' }));
    const duplicate = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'one', MessageGroupId: 'g' }));
    assert.equal(duplicate.MessageId, first.MessageId);
    assert.ok(BigInt(second.SequenceNumber!) > BigInt(first.SequenceNumber!));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: q.url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['MessageGroupId'] }));
    assert.deepEqual(got.Messages!.map((m) => m.Body), ['one', 'two']);
    assert.equal(got.Messages![0]!.Attributes!['MessageGroupId'], 'g');
  });

  it('PublishBatch reports each entry', async () => {
    const arn = await topic('t-batch');
    const q = await queue('q-batch');
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
    const result = await sns.send(
      new PublishBatchCommand({
        TopicArn: arn,
        PublishBatchRequestEntries: [
          { Id: 'a', Message: 'first' },
          { Id: 'b', Message: 'second', MessageAttributes: { bad: { DataType: 'Nope', StringValue: 'x' } } },
          { Id: 'c', Message: 'third' },
        ],
      }),
    );
    assert.deepEqual(result.Successful!.map((s) => s.Id), ['a', 'c']);
    assert.equal(result.Failed![0]!.Id, 'b');
    assert.equal(result.Failed![0]!.Code, 'InvalidParameter');
    assert.deepEqual((await drain(q.url)).map((m) => m.Body).sort(), ['first', 'third']);
  });
});

describe('SNS to Lambda', () => {
  it('invokes the function asynchronously with the SNS event', async () => {
    // Lambda Developer Guide, "Using Lambda with Amazon SNS" (example event); SNS invokes functions asynchronously.
    const arn = await topic('t-lambda');
    const fn = 'arn:aws:lambda:us-east-1:000000000000:function:on-event';
    const { SubscriptionArn } = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'lambda', Endpoint: fn }));
    invocations.length = 0;
    const published = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'to a function', MessageAttributes: { Test: { DataType: 'String', StringValue: 'TestString' } } }));
    await sleep(20);
    assert.equal(invocations.length, 1);
    assert.equal(invocations[0]!.target, fn);
    assert.equal(invocations[0]!.invocationType, 'Event');
    const event = JSON.parse(invocations[0]!.payload) as { Records: Record<string, unknown>[] };
    assert.equal(event.Records.length, 1);
    const record = event.Records[0]!;
    assert.equal(record['EventSource'], 'aws:sns');
    assert.equal(record['EventVersion'], '1.0');
    assert.equal(record['EventSubscriptionArn'], SubscriptionArn);
    const body = record['Sns'] as Record<string, unknown>;
    assert.deepEqual(Object.keys(body), [
      'Type',
      'MessageId',
      'TopicArn',
      'Subject',
      'Message',
      'Timestamp',
      'SignatureVersion',
      'Signature',
      'SigningCertUrl',
      'UnsubscribeUrl',
      'MessageAttributes',
    ]);
    assert.equal(body['MessageId'], published.MessageId);
    assert.equal(body['Subject'], null);
    assert.equal(body['Message'], 'to a function');
    assert.deepEqual(body['MessageAttributes'], { Test: { Type: 'String', Value: 'TestString' } });
  });
});

describe('SNS to HTTP', () => {
  let server: Server;
  let url: string;
  const received: { headers: IncomingHttpHeaders; body: string }[] = [];
  let failNext = 0;

  before(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(500).end();
          return;
        }
        received.push({ headers: req.headers, body });
        res.writeHead(200).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function next(type: string): Promise<{ headers: IncomingHttpHeaders; body: Record<string, string> }> {
    for (let i = 0; i < 200; i++) {
      const index = received.findIndex((r) => r.headers['x-amz-sns-message-type'] === type);
      if (index !== -1) {
        const [found] = received.splice(index, 1);
        return { headers: found!.headers, body: JSON.parse(found!.body) as Record<string, string> };
      }
      await sleep(10);
    }
    throw new Error(`no ${type} received`);
  }

  it('confirms through the SubscribeURL, then POSTs notifications with SNS headers', async () => {
    // SNS Developer Guide, "Fanout to HTTP/S endpoints": a SubscriptionConfirmation POST with a
    // SubscribeURL; visiting it confirms; notifications carry x-amz-sns-* headers.
    const arn = await topic('t-http');
    const subscribed = await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: `${url}/hook` }));
    assert.equal(subscribed.SubscriptionArn, 'pending confirmation');
    const confirmation = await next('SubscriptionConfirmation');
    assert.equal(confirmation.headers['x-amz-sns-topic-arn'], arn);
    assert.match(confirmation.headers['content-type']!, /^text\/plain; charset=UTF-8/);
    assert.deepEqual(Object.keys(confirmation.body), ['Type', 'MessageId', 'Token', 'TopicArn', 'Message', 'SubscribeURL', 'Timestamp', 'SignatureVersion', 'Signature', 'SigningCertURL']);
    assert.equal(confirmation.body['Type'], 'SubscriptionConfirmation');
    assert.equal(
      confirmation.body['Message'],
      `You have chosen to subscribe to the topic ${arn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
    );
    // Not confirmed yet: nothing is delivered.
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'too early' }));
    // "HTTP/HTTPS subscription confirmation JSON format": ...?Action=ConfirmSubscription&TopicArn=arn:aws:sns:...&Token=..., the ARN as is.
    assert.ok(confirmation.body['SubscribeURL']!.includes(`?Action=ConfirmSubscription&TopicArn=${arn}&Token=`), confirmation.body['SubscribeURL']);
    const visit = await fetch(confirmation.body['SubscribeURL']!);
    assert.equal(visit.status, 200);
    const confirmedArn = /<SubscriptionArn>([^<]+)<\/SubscriptionArn>/.exec(await visit.text())![1]!;
    const attributes = (await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: confirmedArn }))).Attributes!;
    assert.equal(attributes['PendingConfirmation'], 'false');
    assert.equal(attributes['ConfirmationWasAuthenticated'], 'false');

    failNext = 1; // the first attempt fails: SNS retries (delivery policy)
    const published = await sns.send(new PublishCommand({ TopicArn: arn, Message: 'over http', Subject: 'S' }));
    const notification = await next('Notification');
    assert.equal(notification.headers['x-amz-sns-message-id'], published.MessageId);
    assert.equal(notification.headers['x-amz-sns-subscription-arn'], confirmedArn);
    assert.equal(notification.body['Message'], 'over http');
    assert.equal(notification.body['Subject'], 'S');
    assert.equal(received.filter((r) => r.body.includes('too early')).length, 0);
  });

  it('confirms through ConfirmSubscription and delivers raw messages', async () => {
    const arn = await topic('t-http-raw');
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'http', Endpoint: `${url}/raw`, Attributes: { RawMessageDelivery: 'true' } }));
    const confirmation = await next('SubscriptionConfirmation');
    const confirmed = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: confirmation.body['Token']! }));
    assert.match(confirmed.SubscriptionArn!, new RegExp(`^${arn}:`));
    await assert.rejects(sns.send(new ConfirmSubscriptionCommand({ TopicArn: arn, Token: 'wrong' })), { name: 'InvalidParameterException' });
    await sns.send(new PublishCommand({ TopicArn: arn, Message: 'raw body' }));
    for (let i = 0; i < 200 && !received.some((r) => r.body === 'raw body'); i++) await sleep(10);
    const raw = received.find((r) => r.body === 'raw body')!;
    assert.equal(raw.headers['x-amz-sns-rawdelivery'], 'true');
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: confirmed.SubscriptionArn }));
    const goodbye = await next('UnsubscribeConfirmation');
    assert.equal(goodbye.body['Type'], 'UnsubscribeConfirmation');
    assert.equal(goodbye.headers['x-amz-sns-subscription-arn'], confirmed.SubscriptionArn);
    assert.match(goodbye.body['Message']!, new RegExp(`^You have chosen to deactivate subscription ${confirmed.SubscriptionArn}\\.`));
  });
});

describe('query protocol and CLI', () => {
  it('answers Publish in the JSON form API Gateway gets', async () => {
    const arn = await topic('t-gateway');
    // Shared conformance case sns/publish-query-params: {"PublishResponse":{"PublishResult":{"MessageId":...,"SequenceNumber":null},"ResponseMetadata":{"RequestId":...}}}.
    const response = await queryCall(endpoint.url, { Action: 'Publish', TopicArn: arn, Message: 'via gateway' }, { accept: 'application/json' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^application\/json/);
    const body = JSON.parse(response.body) as { PublishResponse: { PublishResult: Record<string, unknown>; ResponseMetadata: { RequestId: string } } };
    assert.deepEqual(Object.keys(body.PublishResponse.PublishResult), ['MessageId', 'SequenceNumber']);
    assert.equal(body.PublishResponse.PublishResult['SequenceNumber'], null);
    assert.match(body.PublishResponse.ResponseMetadata.RequestId, /^[0-9a-f-]{36}$/);
    const missing = await queryCall(endpoint.url, { Action: 'Publish', TopicArn: arn + '-gone', Message: 'x' });
    assert.equal(missing.status, 404);
    assert.match(missing.body, /<Code>NotFound<\/Code><Message>Topic does not exist<\/Message>/);
  });

  it('also answers the JSON protocol, for a client that sends it', async () => {
    const arn = await topic('t-json');
    const call = (target: string, body: unknown) =>
      fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `AmazonSimpleNotificationService.${target}` },
        body: JSON.stringify(body),
      });
    const ok = await call('Publish', { TopicArn: arn, Message: 'json' });
    assert.equal(ok.status, 200);
    assert.match(((await ok.json()) as { MessageId: string }).MessageId, /^[0-9a-f-]{36}$/);
    const missing = await call('Publish', { TopicArn: `${arn}-gone`, Message: 'json' });
    assert.equal(missing.status, 404);
    assert.equal(missing.headers.get('x-amzn-query-error'), 'NotFound;Sender');
    assert.deepEqual(await missing.json(), { __type: 'com.amazonaws.sns#NotFoundException', message: 'Topic does not exist' });
  });

  it('publishes with the AWS CLI', { timeout: 60_000 }, async () => {
    const arn = await topic('t-cli');
    const q = await queue('q-cli');
    await sns.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: q.arn, Attributes: { RawMessageDelivery: 'true' } }));
    const published = await awsCli(endpoint.url, [
      'sns',
      'publish',
      '--topic-arn',
      arn,
      '--message',
      'from the CLI',
      '--message-attributes',
      '{"kind":{"DataType":"String","StringValue":"cli"}}',
    ]);
    assert.equal(published.code, 0, published.stderr);
    assert.match((published.json as { MessageId: string }).MessageId, /^[0-9a-f-]{36}$/);
    const [message] = await drain(q.url);
    assert.equal(message!.Body, 'from the CLI');
    assert.deepEqual(message!.MessageAttributes, { kind: { DataType: 'String', StringValue: 'cli' } });
    const topics = await awsCli(endpoint.url, ['sns', 'list-topics']);
    assert.ok((topics.json as { Topics: { TopicArn: string }[] }).Topics.some((t) => t.TopicArn === arn));
  });
});

describe('template and restart', () => {
  it('creates template topics and subscriptions at start, the same after a restart', async () => {
    const own = await startEndpoint({
      factories: [sqsService, snsService],
      resources: (url) => [
        resource('Queue', 'AWS::SQS::Queue', { QueueName: 'tpl-sub' }, `${url}/000000000000/tpl-sub`),
        resource('Inline', 'AWS::SQS::Queue', { QueueName: 'tpl-inline' }, `${url}/000000000000/tpl-inline`),
        resource(
          'Topic',
          'AWS::SNS::Topic',
          { TopicName: 'tpl-topic', Subscription: [{ Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:tpl-inline' }] },
          'arn:aws:sns:us-east-1:000000000000:tpl-topic',
        ),
        resource(
          'Subscription',
          'AWS::SNS::Subscription',
          { TopicArn: 'arn:aws:sns:us-east-1:000000000000:tpl-topic', Protocol: 'sqs', Endpoint: 'arn:aws:sqs:us-east-1:000000000000:tpl-sub', RawMessageDelivery: true, FilterPolicy: { kind: ['a'] } },
          'Subscription-physical',
        ),
      ],
    });
    const c = new SNSClient({ region: 'us-east-1', endpoint: own.url, credentials: CREDENTIALS, maxAttempts: 1 });
    const q = new SQSClient({ region: 'us-east-1', endpoint: own.url, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const arn = 'arn:aws:sns:us-east-1:000000000000:tpl-topic';
      const before = (await c.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions!.map((s) => s.SubscriptionArn).sort();
      assert.equal(before.length, 2);
      await own.restart();
      const afterRestart = (await c.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).Subscriptions!.map((s) => s.SubscriptionArn).sort();
      assert.deepEqual(afterRestart, before);
      await c.send(new PublishCommand({ TopicArn: arn, Message: 'm-a', MessageAttributes: { kind: { DataType: 'String', StringValue: 'a' } } }));
      await c.send(new PublishCommand({ TopicArn: arn, Message: 'm-b', MessageAttributes: { kind: { DataType: 'String', StringValue: 'b' } } }));
      const raw = await q.send(new ReceiveMessageCommand({ QueueUrl: `${own.url}/000000000000/tpl-sub`, MaxNumberOfMessages: 10 }));
      assert.deepEqual(raw.Messages!.map((m) => m.Body), ['m-a']);
      const inline = await q.send(new ReceiveMessageCommand({ QueueUrl: `${own.url}/000000000000/tpl-inline`, MaxNumberOfMessages: 10 }));
      assert.deepEqual(inline.Messages!.map((m) => (JSON.parse(m.Body!) as { Message: string }).Message).sort(), ['m-a', 'm-b']);
    } finally {
      c.destroy();
      q.destroy();
      await own.close();
    }
  });
});
