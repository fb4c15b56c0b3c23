// The programmatic queue API (for SNS deliveries and event source mappings): the same semantics
// as the HTTP API — visibility timeout, receipt handles, message attributes, long polling — and
// the fields an SQS event record carries (Lambda Developer Guide, "Using Lambda with Amazon SQS":
// messageId, receiptHandle, body, attributes, messageAttributes, md5OfBody, eventSourceARN).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runningSqs, sqsService, type SqsService } from './index.js';
import { startEndpoint } from './testing.js';

describe('programmatic queue API', () => {
  it('sends, receives, changes visibility and deletes by queue URL, ARN or name', async () => {
    const endpoint = await startEndpoint({ factories: [sqsService] });
    try {
      const service = endpoint.services[0] as SqsService;
      assert.equal(runningSqs(), service.queues);
      const url = `${endpoint.url}/000000000000/api-queue`;
      await fetch(endpoint.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'AmazonSQS.CreateQueue' },
        body: JSON.stringify({ QueueName: 'api-queue' }),
      });
      const queues = service.queues;
      assert.deepEqual(queues.resolve('arn:aws:sqs:us-east-1:000000000000:api-queue'), {
        name: 'api-queue',
        url,
        arn: 'arn:aws:sqs:us-east-1:000000000000:api-queue',
        fifo: false,
      });
      assert.equal(queues.resolve('nope'), undefined);
      const sent = await queues.send(url, { body: 'job', attributes: { kind: { DataType: 'String', StringValue: 'k' } } });
      const [message] = await queues.receive('api-queue', 10, 30);
      assert.equal(message!.messageId, sent.MessageId);
      assert.equal(message!.body, 'job');
      assert.equal(message!.md5OfBody, sent.MD5OfMessageBody);
      assert.equal(message!.md5OfMessageAttributes, sent.MD5OfMessageAttributes);
      assert.deepEqual(message!.messageAttributes, { kind: { DataType: 'String', StringValue: 'k' } });
      assert.equal(message!.attributes['ApproximateReceiveCount'], '1');
      assert.equal(message!.eventSourceARN, 'arn:aws:sqs:us-east-1:000000000000:api-queue');
      assert.deepEqual(await queues.receive(url, 10), []);
      await queues.changeVisibility(url, message!.receiptHandle, 0);
      const [again] = await queues.receive(url, 1);
      assert.equal(again!.attributes['ApproximateReceiveCount'], '2');
      await queues.deleteMessage(url, again!.receiptHandle);
      await queues.changeVisibility(url, again!.receiptHandle, 0).then(
        () => assert.fail('a deleted message cannot change visibility'),
        (error: Error) => assert.equal(error.name, 'InvalidParameterValue'),
      );
      // Long polling through the API, released empty when the service closes.
      const waiting = queues.receive(url, 1, undefined, { waitSeconds: 20 });
      await new Promise((resolve) => setTimeout(resolve, 50));
      await service.close();
      assert.deepEqual(await waiting, []);
    } finally {
      await endpoint.close();
    }
  });
});
