/**
 * The template's queues exist at start: `AWS::SQS::Queue` (QueueName or the name in its physical
 * id, FifoQueue, VisibilityTimeout, RedrivePolicy, DelaySeconds, MessageRetentionPeriod,
 * ContentBasedDeduplication, ...) created or brought to the template's attributes on every start,
 * and `AWS::SQS::QueuePolicy` kept as each queue's Policy attribute.
 * AWS docs: CloudFormation User Guide, "AWS::SQS::Queue" and "AWS::SQS::QueuePolicy".
 */
import type { Project, TemplateResource } from '../../definitions/model.js';
import type { Logger } from '../../core/log.js';
import { AwsServiceError } from '../protocol/errors.js';
import type { SqsContext } from './context.js';
import { FIFO_QUEUE_NAME, QUEUE_NAME, queueNameOf } from './model.js';
import { createOrCheck, validateAttributes, type QueueDefinition } from './operations/queues.js';
import { resourceProblem } from '../../definitions/errors.js';

/** Template property -> queue attribute, for the properties that are attributes as they are. */
const PROPERTY_ATTRIBUTES = [
  'DelaySeconds',
  'MaximumMessageSize',
  'MessageRetentionPeriod',
  'ReceiveMessageWaitTimeSeconds',
  'VisibilityTimeout',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
  'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds',
  'SqsManagedSseEnabled',
  'RedrivePolicy',
  'RedriveAllowPolicy',
];

interface TemplateQueue extends QueueDefinition {
  fifo: boolean;
  resource: TemplateResource;
}

export function templateQueues(ctx: SqsContext, project: Project): TemplateQueue[] {
  const queues: TemplateQueue[] = [];
  for (const resource of project.resources) {
    if (resource.type !== 'AWS::SQS::Queue') continue;
    const props = resource.properties;
    const name = typeof props['QueueName'] === 'string' ? props['QueueName'] : queueNameOf(resource.physicalId);
    const fifo = String(props['FifoQueue']) === 'true' || name.endsWith('.fifo');
    if (fifo ? !FIFO_QUEUE_NAME.test(name) : !QUEUE_NAME.test(name)) {
      throw resourceProblem(resource, `queue name ${JSON.stringify(name)} is not a valid ${fifo ? 'FIFO ' : ''}queue name`);
    }
    const attributes: Record<string, string> = {};
    for (const property of PROPERTY_ATTRIBUTES) {
      const value = props[property];
      if (value === undefined || value === null) continue;
      attributes[property] = typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
    const tags: Record<string, string> = {};
    if (Array.isArray(props['Tags'])) {
      for (const tag of props['Tags'] as { Key?: unknown; Value?: unknown }[]) {
        if (typeof tag?.Key === 'string') tags[tag.Key] = String(tag.Value ?? '');
      }
    }
    let normalised: Record<string, string>;
    try {
      normalised = validateAttributes(ctx, attributes, fifo, true, false);
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      throw resourceProblem(resource, error.message);
    }
    queues.push({ name, attributes: normalised, tags, fifo, resource });
  }
  return queues;
}

/** Creates (or updates) every template queue and applies queue policies, in one commit. */
export async function createTemplateQueues(ctx: SqsContext, project: Project, log: Logger): Promise<void> {
  const queues = templateQueues(ctx, project);
  const policies: { name: string; policy: string }[] = [];
  for (const resource of project.resources) {
    if (resource.type !== 'AWS::SQS::QueuePolicy') continue;
    const document = resource.properties['PolicyDocument'];
    const refs = Array.isArray(resource.properties['Queues']) ? (resource.properties['Queues'] as unknown[]) : [];
    for (const ref of refs) {
      if (typeof ref === 'string') policies.push({ name: queueNameOf(ref), policy: typeof document === 'string' ? document : JSON.stringify(document) });
    }
  }
  if (queues.length === 0 && policies.length === 0) return;
  await ctx.store.write(() => {
    for (const queue of queues) createOrCheck(ctx, queue, queue.fifo, false);
    for (const { name, policy } of policies) {
      const queue = ctx.store.queues.get(name);
      if (queue === undefined) {
        log.warn(`sqs: AWS::SQS::QueuePolicy names queue ${name}, which the template does not declare`);
        continue;
      }
      if (queue.attributes['Policy'] !== policy) {
        queue.attributes['Policy'] = policy;
        ctx.store.updateQueue(queue);
      }
    }
  });
  for (const queue of queues) {
    const redrive = ctx.store.queues.get(queue.name)?.settings.redrive;
    if (redrive !== undefined && !ctx.store.queues.has(queueNameOf(redrive.deadLetterTargetArn))) {
      log.warn(`sqs: queue ${queue.name}: dead-letter target ${redrive.deadLetterTargetArn} does not exist`);
    }
  }
}
