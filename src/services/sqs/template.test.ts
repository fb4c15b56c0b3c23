// Template queues (CloudFormation User Guide "AWS::SQS::Queue": QueueName, FifoQueue,
// VisibilityTimeout, RedrivePolicy {deadLetterTargetArn, maxReceiveCount}, DelaySeconds,
// MessageRetentionPeriod, ContentBasedDeduplication; Ref returns the queue URL) exist at start,
// the same on every start; "AWS::SQS::QueuePolicy" is kept as the queue's Policy attribute.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { GetQueueAttributesCommand, ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sqsService } from './index.js';
import { CREDENTIALS, resource, startEndpoint } from './testing.js';

describe('template queues', () => {
  it('creates template queues at start and keeps them on restart', async () => {
    const endpoint = await startEndpoint({
      factories: [sqsService],
      resources: (url) => [
        resource('Dlq', 'AWS::SQS::Queue', { QueueName: 'tpl-dlq' }, `${url}/000000000000/tpl-dlq`),
        resource(
          'Work',
          'AWS::SQS::Queue',
          {
            VisibilityTimeout: 45,
            DelaySeconds: 2,
            MessageRetentionPeriod: 600,
            RedrivePolicy: { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:tpl-dlq', maxReceiveCount: 3 },
          },
          // No QueueName: the name comes from the physical id (the URL Ref returns).
          `${url}/000000000000/stack-Work-ABC123`,
        ),
        resource('Ordered', 'AWS::SQS::Queue', { QueueName: 'tpl-ordered.fifo', FifoQueue: true, ContentBasedDeduplication: true }, `${url}/000000000000/tpl-ordered.fifo`),
        resource('Policy', 'AWS::SQS::QueuePolicy', { Queues: [`${url}/000000000000/tpl-dlq`], PolicyDocument: { Version: '2012-10-17', Statement: [] } }, 'policy-id'),
      ],
    });
    const sqs = new SQSClient({ region: 'us-east-1', endpoint: endpoint.url, credentials: CREDENTIALS, maxAttempts: 1 });
    try {
      const check = async () => {
        const listed = await sqs.send(new ListQueuesCommand({}));
        assert.deepEqual(listed.QueueUrls!.map((u) => u.slice(u.lastIndexOf('/') + 1)), ['stack-Work-ABC123', 'tpl-dlq', 'tpl-ordered.fifo']);
        const work = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${endpoint.url}/000000000000/stack-Work-ABC123`, AttributeNames: ['All'] }))).Attributes!;
        assert.equal(work['VisibilityTimeout'], '45');
        assert.equal(work['DelaySeconds'], '2');
        assert.equal(work['MessageRetentionPeriod'], '600');
        assert.deepEqual(JSON.parse(work['RedrivePolicy']!), { deadLetterTargetArn: 'arn:aws:sqs:us-east-1:000000000000:tpl-dlq', maxReceiveCount: 3 });
        const fifo = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${endpoint.url}/000000000000/tpl-ordered.fifo`, AttributeNames: ['All'] }))).Attributes!;
        assert.equal(fifo['FifoQueue'], 'true');
        assert.equal(fifo['ContentBasedDeduplication'], 'true');
        const dlq = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: `${endpoint.url}/000000000000/tpl-dlq`, AttributeNames: ['Policy'] }))).Attributes!;
        assert.deepEqual(JSON.parse(dlq['Policy']!), { Version: '2012-10-17', Statement: [] });
      };
      await check();
      await endpoint.restart();
      await check();
    } finally {
      sqs.destroy();
      await endpoint.close();
    }
  });

  it('rejects an invalid template queue naming the resource', async () => {
    await assert.rejects(
      startEndpoint({ factories: [sqsService], resources: (url) => [resource('Bad', 'AWS::SQS::Queue', { QueueName: 'bad', VisibilityTimeout: 999999 }, `${url}/000000000000/bad`)] }),
      /\/Resources\/Bad: AWS::SQS::Queue Bad: Invalid value for the parameter VisibilityTimeout/,
    );
  });
});
