// The embedded SQS through AWS SDK v3 (@aws-sdk/client-sqs speaks AWS JSON 1.0) against a real
// node:http server. AWS facts encoded here cite the Amazon SQS API Reference (action pages, "Common
// Errors") and the SQS Developer Guide pages named next to each test.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  DeleteQueueCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListDeadLetterSourceQueuesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
  TagQueueCommand,
} from '@aws-sdk/client-sqs';
import { sqsService } from './index.js';
import { CREDENTIALS, startEndpoint, type TestEndpoint } from './testing.js';

let endpoint: TestEndpoint;
let sqs: SQSClient;

before(async () => {
  endpoint = await startEndpoint({ factories: [sqsService] });
  sqs = client(endpoint.url);
});
after(async () => {
  sqs.destroy();
  await endpoint.close();
});

function client(url: string): SQSClient {
  return new SQSClient({ region: 'us-east-1', endpoint: url, credentials: CREDENTIALS, maxAttempts: 1 });
}

async function queue(name: string, attributes: Record<string, string> = {}): Promise<string> {
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl!;
}

async function attributes(url: string): Promise<Record<string, string>> {
  return (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;
}

async function rejects(promise: Promise<unknown>, name: string, message?: string | RegExp): Promise<Error & Record<string, unknown>> {
  try {
    await promise;
  } catch (error) {
    const e = error as Error & Record<string, unknown>;
    assert.equal(e.name, name, `${e.name}: ${e.message}`);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message !== undefined) assert.match(e.message, message);
    return e;
  }
  assert.fail(`expected ${name}`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('queues', () => {
  it('creates queues with URLs in AWS shape on the endpoint, idempotently', async () => {
    // "Amazon SQS queue and message identifiers": https://sqs.<region>.amazonaws.com/<account>/<name>.
    const url = await queue('q-create', { VisibilityTimeout: '45' });
    assert.equal(url, `${endpoint.url}/000000000000/q-create`);
    assert.equal(await queue('q-create', { VisibilityTimeout: '45' }), url);
    // CreateQueue: "If you provide the name of an existing queue along with the exact names and
    // values of all the queue's attributes, CreateQueue returns the queue URL for the existing queue";
    // other values are QueueNameExists (query code QueueAlreadyExists).
    const error = await rejects(queue('q-create', { VisibilityTimeout: '46' }), 'QueueNameExists');
    assert.equal(error['Code'], 'QueueAlreadyExists');
    assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: 'q-create' }))).QueueUrl, url);
    const listed = await sqs.send(new ListQueuesCommand({ QueueNamePrefix: 'q-cre' }));
    assert.deepEqual(listed.QueueUrls, [url]);
  });

  it('answers QueueDoesNotExist as SQS words it', async () => {
    // API Reference "GetQueueUrl" errors: QueueDoesNotExist, "The specified queue does not exist."
    const error = await rejects(sqs.send(new GetQueueUrlCommand({ QueueName: 'no-such-queue' })), 'QueueDoesNotExist', 'The specified queue does not exist.');
    assert.equal(error['Code'], 'AWS.SimpleQueueService.NonExistentQueue');
    assert.equal((error['$metadata'] as { httpStatusCode: number }).httpStatusCode, 400);
  });

  it('returns the attributes GetQueueAttributes documents, with their defaults', async () => {
    const url = await queue('q-attrs');
    const all = await attributes(url);
    // CreateQueue "Attributes": defaults DelaySeconds 0, MaximumMessageSize 1,048,576,
    // MessageRetentionPeriod 345,600, ReceiveMessageWaitTimeSeconds 0, VisibilityTimeout 30.
    assert.equal(all['DelaySeconds'], '0');
    assert.equal(all['MaximumMessageSize'], '1048576');
    assert.equal(all['MessageRetentionPeriod'], '345600');
    assert.equal(all['ReceiveMessageWaitTimeSeconds'], '0');
    assert.equal(all['VisibilityTimeout'], '30');
    assert.equal(all['QueueArn'], 'arn:aws:sqs:us-east-1:000000000000:q-attrs');
    assert.equal(all['ApproximateNumberOfMessages'], '0');
    await sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '60', DelaySeconds: '2' } }));
    const some = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['VisibilityTimeout', 'DelaySeconds'] }));
    assert.deepEqual(some.Attributes, { VisibilityTimeout: '60', DelaySeconds: '2' });
    await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { VisibilityTimeout: '50000' } })), 'InvalidAttributeValue');
    await rejects(sqs.send(new SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Nope: '1' } as Record<string, string> })), 'InvalidAttributeName');
  });

  it('tags, purges once a minute, deletes', async () => {
    const url = await queue('q-misc');
    await sqs.send(new TagQueueCommand({ QueueUrl: url, Tags: { team: 'a' } }));
    assert.deepEqual((await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }))).Tags, { team: 'a' });
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' }));
    await sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    assert.equal((await attributes(url))['ApproximateNumberOfMessages'], '0');
    // PurgeQueue: "Only one PurgeQueue operation on QueueName is allowed every 60 seconds."
    await rejects(sqs.send(new PurgeQueueCommand({ QueueUrl: url })), 'PurgeQueueInProgress');
    await sqs.send(new DeleteQueueCommand({ QueueUrl: url }));
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x' })), 'QueueDoesNotExist');
  });
});

describe('messages', () => {
  it('sends and receives with message attributes and the documented digests', async () => {
    const url = await queue('m-basic');
    const sent = await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: '{"status": "ok"}',
        MessageAttributes: {
          City: { DataType: 'String', StringValue: 'Any City' },
          PostalCode: { DataType: 'String', StringValue: '99065' },
          Region: { DataType: 'String', StringValue: 'WA' },
          SellerName: { DataType: 'String', StringValue: 'Example Store' },
        },
      }),
    );
    assert.equal(sent.MD5OfMessageBody, '0d7ac2dec5f281678f65dcf7fe4681ba');
    assert.equal(sent.MD5OfMessageAttributes, '66d793da93becb551e41562575418975');
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['All'], MessageSystemAttributeNames: ['All'] }));
    const message = received.Messages![0]!;
    assert.equal(message.MessageId, sent.MessageId);
    assert.equal(message.Body, '{"status": "ok"}');
    assert.equal(message.MD5OfBody, '0d7ac2dec5f281678f65dcf7fe4681ba');
    assert.equal(message.MD5OfMessageAttributes, '66d793da93becb551e41562575418975');
    assert.deepEqual(message.MessageAttributes!['Region'], { DataType: 'String', StringValue: 'WA' });
    assert.equal(message.Attributes!['ApproximateReceiveCount'], '1');
    assert.match(message.Attributes!['SentTimestamp']!, /^\d{13}$/);
    assert.ok(message.Attributes!['SenderId']);
  });

  it('selects message attributes by name, prefix (.*) or All', async () => {
    const url = await queue('m-select');
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: url,
        MessageBody: 'b',
        MessageAttributes: { 'app.a': { DataType: 'String', StringValue: '1' }, 'app.b': { DataType: 'Number', StringValue: '2' }, other: { DataType: 'String', StringValue: '3' } },
      }),
    );
    // ReceiveMessage "MessageAttributeNames": "You can use .* to return all message attributes
    // starting with a prefix, for example bar.*"; "All" or ".*" returns all.
    const prefixed = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageAttributeNames: ['app.*'], VisibilityTimeout: 0 }));
    assert.deepEqual(Object.keys(prefixed.Messages![0]!.MessageAttributes!).sort(), ['app.a', 'app.b']);
    const none = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0 }));
    assert.equal(none.Messages![0]!.MessageAttributes, undefined);
  });

  it('rejects what SendMessage rejects', async () => {
    const url = await queue('m-invalid');
    // SendMessage "MessageBody": allowed characters #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF.
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'bad \u0001' })), 'InvalidMessageContents');
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', DelaySeconds: 901 })), 'InvalidParameterValue');
    await rejects(
      sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'abc' } } })),
      'InvalidParameterValue',
    );
  });

  it('hides a received message for its visibility timeout, then delivers it again', async () => {
    // SQS Developer Guide, "Amazon SQS visibility timeout".
    const url = await queue('m-visibility');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'again' }));
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 1 }));
    assert.equal(first.Messages!.length, 1);
    const hidden = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    assert.equal(hidden.Messages, undefined);
    const counts = await attributes(url);
    assert.equal(counts['ApproximateNumberOfMessagesNotVisible'], '1');
    await sleep(1100);
    const again = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }));
    assert.equal(again.Messages![0]!.MessageId, first.Messages![0]!.MessageId);
    assert.equal(again.Messages![0]!.Attributes!['ApproximateReceiveCount'], '2');
    assert.notEqual(again.Messages![0]!.ReceiptHandle, first.Messages![0]!.ReceiptHandle);
    await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: again.Messages![0]!.ReceiptHandle }));
    assert.equal((await attributes(url))['ApproximateNumberOfMessagesNotVisible'], '0');
  });

  it('changes visibility of an in-flight message; rejects an invalid receipt handle', async () => {
    const url = await queue('m-change');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'cv' }));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 300 }));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: url, ReceiptHandle: got.Messages![0]!.ReceiptHandle, VisibilityTimeout: 0 }));
    const back = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    assert.equal(back.Messages![0]!.MessageId, got.Messages![0]!.MessageId);
    // DeleteMessage errors: ReceiptHandleIsInvalid ("The specified receipt handle isn't valid").
    await rejects(sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: 'garbage' })), 'ReceiptHandleIsInvalid');
  });

  it('delays messages (DelaySeconds) and long polling returns them once visible', async () => {
    // SQS Developer Guide, "Amazon SQS delay queues" and "Amazon SQS short and long polling".
    const url = await queue('m-delay');
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'later', DelaySeconds: 1 }));
    assert.equal((await attributes(url))['ApproximateNumberOfMessagesDelayed'], '1');
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages, undefined);
    const started = Date.now();
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 5 }));
    const waited = Date.now() - started;
    assert.equal(got.Messages![0]!.Body, 'later');
    assert.ok(waited < 2500, `waited ${waited} ms`);
  });

  it('long polling answers as soon as a message arrives, and empty after WaitTimeSeconds', async () => {
    const url = await queue('m-longpoll');
    const started = Date.now();
    const pending = sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 10 }));
    await sleep(200);
    await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'wake' }));
    const got = await pending;
    assert.equal(got.Messages![0]!.Body, 'wake');
    assert.ok(Date.now() - started < 2000);
    const emptyStart = Date.now();
    const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 1 }));
    assert.equal(empty.Messages, undefined);
    assert.ok(Date.now() - emptyStart >= 950);
  });

  it('batches: per-entry failures, ids checked', async () => {
    const url = await queue('m-batch');
    const sent = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two', DelaySeconds: 1000 },
          { Id: 'c', MessageBody: 'three' },
        ],
      }),
    );
    assert.deepEqual(sent.Successful!.map((s) => s.Id), ['a', 'c']);
    assert.equal(sent.Failed![0]!.Id, 'b');
    assert.equal(sent.Failed![0]!.SenderFault, true);
    // SendMessageBatch errors: BatchEntryIdsNotDistinct, EmptyBatchRequest, TooManyEntriesInBatchRequest.
    await rejects(sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: [{ Id: 'x', MessageBody: '1' }, { Id: 'x', MessageBody: '2' }] })), 'BatchEntryIdsNotDistinct');
    await rejects(
      sqs.send(new SendMessageBatchCommand({ QueueUrl: url, Entries: Array.from({ length: 11 }, (_, i) => ({ Id: `e${i}`, MessageBody: 'm' })) })),
      'TooManyEntriesInBatchRequest',
    );
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
    assert.equal(got.Messages!.length, 2);
    const changed = await sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl: url,
        Entries: [
          { Id: 'a', ReceiptHandle: got.Messages![0]!.ReceiptHandle, VisibilityTimeout: 0 },
          { Id: 'bad', ReceiptHandle: 'bad', VisibilityTimeout: 0 },
        ],
      }),
    );
    assert.deepEqual(changed.Successful!.map((s) => s.Id), ['a']);
    assert.equal(changed.Failed![0]!.Code, 'ReceiptHandleIsInvalid');
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: url, Entries: got.Messages!.map((m, i) => ({ Id: `d${i}`, ReceiptHandle: m.ReceiptHandle! })) }),
    );
    assert.equal(deleted.Successful!.length, 2);
  });

  it('redrives to the dead-letter queue after maxReceiveCount receives', async () => {
    // SQS Developer Guide, "Using dead-letter queues in Amazon SQS": "When the ReceiveCount for a
    // message exceeds the maxReceiveCount for a queue, Amazon SQS moves the message to a dead-letter queue."
    const dlq = await queue('m-dlq');
    const dlqArn = (await attributes(dlq))['QueueArn']!;
    const source = await queue('m-source', { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 2 }) });
    await sqs.send(new SendMessageCommand({ QueueUrl: source, MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: source, VisibilityTimeout: 0 }));
      assert.equal(got.Messages!.length, 1, `receive ${i + 1}`);
    }
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: source }))).Messages, undefined);
    const moved = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq, MessageSystemAttributeNames: ['All'] }));
    assert.equal(moved.Messages![0]!.Body, 'poison');
    assert.equal(moved.Messages![0]!.Attributes!['DeadLetterQueueSourceArn'], 'arn:aws:sqs:us-east-1:000000000000:m-source');
    assert.deepEqual((await sqs.send(new ListDeadLetterSourceQueuesCommand({ QueueUrl: dlq }))).queueUrls, [source]);
    // SetQueueAttributes RedrivePolicy: the target must exist.
    await rejects(
      sqs.send(new SetQueueAttributesCommand({ QueueUrl: source, Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn + 'x', maxReceiveCount: 1 }) } })),
      'InvalidParameterValue',
    );
  });
});

describe('FIFO queues', () => {
  it('requires the .fifo suffix and MessageGroupId', async () => {
    await rejects(queue('f-noname', { FifoQueue: 'true' }), 'InvalidParameterValue');
    const url = await queue('f-rules.fifo', { FifoQueue: 'true' });
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageDeduplicationId: 'd' })), 'MissingParameter', 'The request must contain the parameter MessageGroupId.');
    // "If you don't provide a MessageDeduplicationId and the queue doesn't have ContentBasedDeduplication set, the action fails with an error."
    await rejects(sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'x', MessageGroupId: 'g' })), 'InvalidParameterValue');
  });

  it('delivers in order per message group; an in-flight group blocks; other groups flow', async () => {
    // SQS Developer Guide, "FIFO queue delivery logic": messages of a group are returned in order, and
    // no more messages of a group are returned while earlier ones are in flight.
    const url = await queue('f-order.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    for (const [group, body] of [['a', 'a1'], ['b', 'b1'], ['a', 'a2'], ['b', 'b2'], ['a', 'a3']] as const) {
      await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: body, MessageGroupId: group }));
    }
    const first = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 2, VisibilityTimeout: 30 }));
    assert.deepEqual(first.Messages!.map((m) => m.Body), ['a1', 'a2']);
    const second = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 30 }));
    assert.deepEqual(second.Messages!.map((m) => m.Body), ['b1', 'b2']);
    assert.equal((await sqs.send(new ReceiveMessageCommand({ QueueUrl: url }))).Messages, undefined);
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: first.Messages!.map((m, i) => ({ Id: `x${i}`, ReceiptHandle: m.ReceiptHandle! })) }));
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    assert.deepEqual(third.Messages!.map((m) => m.Body), ['a3']);
    assert.equal(third.Messages![0]!.Attributes!['MessageGroupId'], 'a');
    assert.match(third.Messages![0]!.Attributes!['SequenceNumber']!, /^\d{20}$/);
  });

  it('deduplicates within 5 minutes by MessageDeduplicationId and by content', async () => {
    // SQS Developer Guide, "Exactly-once processing in Amazon SQS": a message with a deduplication
    // id already sent in the 5-minute interval is accepted successfully but not delivered.
    const url = await queue('f-dedup.fifo', { FifoQueue: 'true', ContentBasedDeduplication: 'true' });
    const one = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'same', MessageGroupId: 'g', MessageDeduplicationId: 'id-1' }));
    const two = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'other body', MessageGroupId: 'g', MessageDeduplicationId: 'id-1' }));
    assert.equal(two.MessageId, one.MessageId);
    assert.equal(two.SequenceNumber, one.SequenceNumber);
    // Content-based: the SHA-256 of the body is the deduplication id.
    const three = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'content', MessageGroupId: 'g' }));
    const four = await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: 'content', MessageGroupId: 'g' }));
    assert.equal(four.MessageId, three.MessageId);
    assert.ok(BigInt(three.SequenceNumber!) > BigInt(one.SequenceNumber!));
    const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
    assert.deepEqual(got.Messages!.map((m) => m.Body), ['same', 'content']);
  });
});

describe('durability', () => {
  it('keeps acknowledged messages, in-flight state and queues across a restart', async () => {
    const own = await startEndpoint({ factories: [sqsService] });
    const c = client(own.url);
    try {
      const url = (await c.send(new CreateQueueCommand({ QueueName: 'durable', Attributes: { VisibilityTimeout: '120' } }))).QueueUrl!;
      const ids = new Set<string>();
      await Promise.all(
        Array.from({ length: 50 }, async (_, i) => {
          ids.add((await c.send(new SendMessageCommand({ QueueUrl: url, MessageBody: `m${i}` }))).MessageId!);
        }),
      );
      const inFlight = await c.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 1 }));
      await own.restart();
      const all = await attributes2(c, url);
      assert.equal(all['VisibilityTimeout'], '120');
      assert.equal(all['ApproximateNumberOfMessages'], '49');
      assert.equal(all['ApproximateNumberOfMessagesNotVisible'], '1');
      const seen = new Set<string>([inFlight.Messages![0]!.MessageId!]);
      for (;;) {
        const got = await c.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10 }));
        if (got.Messages === undefined) break;
        for (const m of got.Messages) seen.add(m.MessageId!);
      }
      assert.deepEqual([...seen].sort(), [...ids].sort());
    } finally {
      c.destroy();
      await own.close();
    }
  });
});

async function attributes2(c: SQSClient, url: string): Promise<Record<string, string>> {
  return (await c.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] }))).Attributes!;
}
