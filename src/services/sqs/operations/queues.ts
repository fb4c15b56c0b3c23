/**
 * Queue operations: CreateQueue, GetQueueUrl, ListQueues, DeleteQueue, GetQueueAttributes,
 * SetQueueAttributes, PurgeQueue, TagQueue, UntagQueue, ListQueueTags, ListDeadLetterSourceQueues,
 * AddPermission/RemovePermission (accepted; gatehouse does not enforce queue policies).
 * Input and output in the JSON protocol's shape.
 * AWS docs: Amazon SQS API Reference, the page of each action.
 */
import { SqsError, invalidParameter, queueDoesNotExist } from '../errors.js';
import type { SqsContext } from '../context.js';
import {
  ATTRIBUTE_DEFAULTS,
  FIFO_ATTRIBUTE_DEFAULTS,
  FIFO_ONLY_ATTRIBUTES,
  FIFO_QUEUE_NAME,
  INTEGER_ATTRIBUTES,
  PURGE_INTERVAL_MS,
  QUEUE_NAME,
  READ_ONLY_ATTRIBUTES,
  SETTABLE_ATTRIBUTES,
  queueArn,
  queueNameOf,
  queueUrl,
  settingsOf,
  type Queue,
} from '../model.js';
import { optInt, optString, optStringList, optStringMap, reqString, requireQueue, type Input } from './input.js';

export type Output = Record<string, unknown>;

export function urlOf(ctx: SqsContext, name: string): string {
  return queueUrl(ctx.endpoint, ctx.accountId, name);
}

export function arnOf(ctx: SqsContext, name: string): string {
  return queueArn(ctx.region, ctx.accountId, name);
}

export interface QueueDefinition {
  name: string;
  attributes: Record<string, string>;
  tags: Record<string, string>;
}

/**
 * Checks and normalises queue attributes as SetQueueAttributes/CreateQueue do. `checkTargets`
 * verifies that a RedrivePolicy's dead-letter queue exists and has the same type (off while
 * template queues are created, in any order).
 */
export function validateAttributes(
  ctx: SqsContext,
  attributes: Record<string, string>,
  fifo: boolean,
  creating: boolean,
  checkTargets = true,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(attributes)) {
    const value = String(raw);
    if (name === 'FifoQueue') {
      if (!creating) throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
      continue;
    }
    if (!SETTABLE_ATTRIBUTES.has(name) || (!fifo && FIFO_ONLY_ATTRIBUTES.has(name))) {
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
    const range = INTEGER_ATTRIBUTES[name];
    if (range !== undefined) {
      const n = Number(value);
      if (!/^\d+$/.test(value) || n < range[0] || n > range[1]) throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
      out[name] = String(n);
      continue;
    }
    switch (name) {
      case 'SqsManagedSseEnabled':
      case 'ContentBasedDeduplication':
        if (value !== 'true' && value !== 'false') throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
        out[name] = value;
        break;
      case 'DeduplicationScope':
        if (value !== 'queue' && value !== 'messageGroup') throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
        out[name] = value;
        break;
      case 'FifoThroughputLimit':
        if (value !== 'perQueue' && value !== 'perMessageGroupId') throw new SqsError('InvalidAttributeValue', `Invalid value for the parameter ${name}.`);
        out[name] = value;
        break;
      case 'RedrivePolicy':
        out[name] = value === '' ? '' : normaliseRedrivePolicy(ctx, value, fifo, checkTargets);
        break;
      default:
        out[name] = value;
    }
  }
  return out;
}

function normaliseRedrivePolicy(ctx: SqsContext, value: string, fifo: boolean, checkTargets: boolean): string {
  let policy: { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
  try {
    policy = JSON.parse(value) as typeof policy;
  } catch {
    throw invalidParameter('RedrivePolicy', value, 'Invalid value for the parameter RedrivePolicy.');
  }
  const target = policy?.deadLetterTargetArn;
  const count = Number(policy?.maxReceiveCount);
  if (typeof target !== 'string' || target === '') {
    throw invalidParameter('RedrivePolicy', value, 'Redrive policy does not contain mandatory attribute: deadLetterTargetArn.');
  }
  if (policy.maxReceiveCount === undefined) {
    throw invalidParameter('RedrivePolicy', value, 'Redrive policy does not contain mandatory attribute: maxReceiveCount.');
  }
  if (!Number.isInteger(count) || count < 1 || count > 1000) {
    throw invalidParameter('RedrivePolicy', value, 'Invalid value for maxReceiveCount: ' + String(policy.maxReceiveCount) + ', valid values are from 1 to 1000 both inclusive.');
  }
  if (checkTargets) {
    const dlq = ctx.store.queues.get(queueNameOf(target));
    if (dlq === undefined) throw invalidParameter('RedrivePolicy', value, 'Dead letter target does not exist.');
    if (dlq.fifo !== fifo) throw invalidParameter('RedrivePolicy', value, 'Dead-letter target owner should be same as the source.');
  }
  return JSON.stringify({ deadLetterTargetArn: target, maxReceiveCount: count });
}

/** Creates the queue, or checks that the existing one has the same attributes (AWS's idempotency). */
export async function createQueue(ctx: SqsContext, input: Input): Promise<Output> {
  const name = reqString(input, 'QueueName');
  const attributes = optStringMap(input, 'Attributes') ?? {};
  const tags = optStringMap(input, 'tags') ?? {};
  const fifo = attributes['FifoQueue'] === 'true';
  if (attributes['FifoQueue'] !== undefined && attributes['FifoQueue'] !== 'true' && attributes['FifoQueue'] !== 'false') {
    throw new SqsError('InvalidAttributeValue', 'Invalid value for the parameter FifoQueue.');
  }
  if (fifo ? !FIFO_QUEUE_NAME.test(name) : !QUEUE_NAME.test(name)) {
    throw new SqsError(
      'InvalidParameterValue',
      fifo
        ? 'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length.'
        : 'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
    );
  }
  const normalised = validateAttributes(ctx, attributes, fifo, true);
  await ctx.store.write(() => createOrCheck(ctx, { name, attributes: normalised, tags }, fifo, true));
  return { QueueUrl: urlOf(ctx, name) };
}

/**
 * Inside a write: creates the queue, or — when it exists — fails on different attributes
 * (`strict`, the API) or takes the new ones (template queues, which the template defines).
 */
export function createOrCheck(ctx: SqsContext, definition: QueueDefinition, fifo: boolean, strict: boolean): Queue {
  const existing = ctx.store.queues.get(definition.name);
  const now = Math.floor(ctx.now() / 1000);
  if (existing !== undefined) {
    const differing = Object.entries(definition.attributes).filter(([key, value]) => effectiveAttribute(existing, key) !== value).map(([key]) => key);
    if (existing.fifo !== fifo) differing.unshift('FifoQueue');
    if (differing.length === 0) return existing;
    if (strict) {
      throw new SqsError('QueueNameExists', `A queue already exists with the same name and a different value for attribute ${differing.join(', ')}`);
    }
    Object.assign(existing.attributes, definition.attributes);
    Object.assign(existing.tags, definition.tags);
    existing.modifiedAt = now;
    ctx.store.updateQueue(existing);
    return existing;
  }
  const attributes = { ...definition.attributes };
  const queue: Queue = {
    name: definition.name,
    fifo,
    attributes,
    createdAt: now,
    modifiedAt: now,
    tags: { ...definition.tags },
    settings: settingsOf(attributes),
  };
  ctx.store.insertQueue(queue);
  return queue;
}

function effectiveAttribute(queue: Queue, name: string): string | undefined {
  return queue.attributes[name] ?? ATTRIBUTE_DEFAULTS[name] ?? (queue.fifo ? FIFO_ATTRIBUTE_DEFAULTS[name] : undefined);
}

export function getQueueUrl(ctx: SqsContext, input: Input): Output {
  const name = reqString(input, 'QueueName');
  if (!ctx.store.queues.has(name)) throw queueDoesNotExist();
  return { QueueUrl: urlOf(ctx, name) };
}

export function listQueues(ctx: SqsContext, input: Input): Output {
  const prefix = optString(input, 'QueueNamePrefix') ?? '';
  const maxResults = optInt(input, 'MaxResults', 1, 1000);
  const token = optString(input, 'NextToken');
  const after = token === undefined ? '' : decodeToken(token);
  const names = [...ctx.store.queues.keys()].filter((name) => name.startsWith(prefix) && name > after).sort();
  const limit = maxResults ?? 1000;
  const page = names.slice(0, limit);
  const output: Output = {};
  if (page.length > 0) output['QueueUrls'] = page.map((name) => urlOf(ctx, name));
  if (maxResults !== undefined && names.length > limit) output['NextToken'] = Buffer.from(page[page.length - 1]!, 'utf8').toString('base64');
  return output;
}

function decodeToken(token: string): string {
  const name = Buffer.from(token, 'base64').toString('utf8');
  if (name === '') throw invalidParameter('NextToken', token, 'Invalid NextToken value.');
  return name;
}

export async function deleteQueue(ctx: SqsContext, input: Input): Promise<Output> {
  const queue = requireQueue(ctx, input);
  await ctx.store.write(() => {
    ctx.store.deleteQueue(queue.name);
    ctx.store.afterCommit(() => ctx.waiters.wakeAll(queue.name));
  });
  ctx.purgedAt.delete(queue.name);
  return {};
}

export function getQueueAttributes(ctx: SqsContext, input: Input): Output {
  const queue = requireQueue(ctx, input);
  const names = optStringList(input, 'AttributeNames') ?? [];
  if (names.length === 0) return {};
  const all = names.includes('All');
  for (const name of names) {
    if (name !== 'All' && !SETTABLE_ATTRIBUTES.has(name) && !READ_ONLY_ATTRIBUTES.has(name)) {
      throw new SqsError('InvalidAttributeName', `Unknown Attribute ${name}.`);
    }
  }
  const attributes = queueAttributes(ctx, queue);
  const wanted = all ? attributes : Object.fromEntries(Object.entries(attributes).filter(([key]) => names.includes(key)));
  return Object.keys(wanted).length === 0 ? {} : { Attributes: wanted };
}

/** Every attribute GetQueueAttributes `All` returns, in AWS's order. */
export function queueAttributes(ctx: SqsContext, queue: Queue): Record<string, string> {
  const counts = ctx.store.counts(queue.name, ctx.now());
  const out: Record<string, string> = {
    QueueArn: arnOf(ctx, queue.name),
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(queue.createdAt),
    LastModifiedTimestamp: String(queue.modifiedAt),
  };
  for (const name of ['VisibilityTimeout', 'MaximumMessageSize', 'MessageRetentionPeriod', 'DelaySeconds', 'ReceiveMessageWaitTimeSeconds']) {
    out[name] = effectiveAttribute(queue, name)!;
  }
  for (const name of ['Policy', 'RedrivePolicy', 'RedriveAllowPolicy', 'KmsMasterKeyId', 'KmsDataKeyReusePeriodSeconds']) {
    const value = queue.attributes[name];
    if (value !== undefined && value !== '') out[name] = value;
  }
  out['SqsManagedSseEnabled'] = effectiveAttribute(queue, 'SqsManagedSseEnabled')!;
  if (queue.fifo) {
    out['FifoQueue'] = 'true';
    for (const name of Object.keys(FIFO_ATTRIBUTE_DEFAULTS)) out[name] = effectiveAttribute(queue, name)!;
  }
  return out;
}

export async function setQueueAttributes(ctx: SqsContext, input: Input): Promise<Output> {
  const queue = requireQueue(ctx, input);
  const attributes = optStringMap(input, 'Attributes') ?? {};
  const normalised = validateAttributes(ctx, attributes, queue.fifo, false);
  await ctx.store.write(() => {
    const current = ctx.store.queues.get(queue.name);
    if (current === undefined) throw queueDoesNotExist();
    for (const [name, value] of Object.entries(normalised)) {
      if (value === '' && (name === 'RedrivePolicy' || name === 'Policy' || name === 'RedriveAllowPolicy')) delete current.attributes[name];
      else current.attributes[name] = value;
    }
    current.modifiedAt = Math.floor(ctx.now() / 1000);
    ctx.store.updateQueue(current);
    // A shorter wait or visibility may let a waiting receiver find a message sooner.
    ctx.store.afterCommit(() => ctx.waiters.wakeAll(queue.name));
  });
  return {};
}

export async function purgeQueue(ctx: SqsContext, input: Input): Promise<Output> {
  const queue = requireQueue(ctx, input);
  const now = ctx.now();
  const last = ctx.purgedAt.get(queue.name);
  if (last !== undefined && now - last < PURGE_INTERVAL_MS) {
    throw new SqsError('PurgeQueueInProgress', `Only one PurgeQueue operation on ${queue.name} is allowed every 60 seconds.`);
  }
  ctx.purgedAt.set(queue.name, now);
  await ctx.store.write(() => ctx.store.purge(queue.name));
  return {};
}

export async function tagQueue(ctx: SqsContext, input: Input): Promise<Output> {
  const queue = requireQueue(ctx, input);
  const tags = optStringMap(input, 'Tags') ?? {};
  await ctx.store.write(() => {
    Object.assign(queue.tags, tags);
    ctx.store.updateQueue(queue);
  });
  return {};
}

export async function untagQueue(ctx: SqsContext, input: Input): Promise<Output> {
  const queue = requireQueue(ctx, input);
  const keys = optStringList(input, 'TagKeys') ?? [];
  await ctx.store.write(() => {
    for (const key of keys) delete queue.tags[key];
    ctx.store.updateQueue(queue);
  });
  return {};
}

export function listQueueTags(ctx: SqsContext, input: Input): Output {
  const queue = requireQueue(ctx, input);
  return Object.keys(queue.tags).length === 0 ? {} : { Tags: { ...queue.tags } };
}

export function listDeadLetterSourceQueues(ctx: SqsContext, input: Input): Output {
  const queue = requireQueue(ctx, input);
  const arn = arnOf(ctx, queue.name);
  const sources = [...ctx.store.queues.values()]
    .filter((q) => q.settings.redrive?.deadLetterTargetArn === arn)
    .map((q) => urlOf(ctx, q.name))
    .sort();
  return { queueUrls: sources };
}

/** Queue policies are kept by SetQueueAttributes(Policy); AddPermission/RemovePermission only check the queue. */
export function permission(ctx: SqsContext, input: Input): Output {
  requireQueue(ctx, input);
  reqString(input, 'Label');
  return {};
}
