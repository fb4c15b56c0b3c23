/**
 * Topic operations: CreateTopic (standard and FIFO, idempotent), DeleteTopic, ListTopics,
 * GetTopicAttributes, SetTopicAttributes, TagResource, UntagResource, ListTagsForResource,
 * AddPermission/RemovePermission (accepted; gatehouse does not enforce topic policies).
 * AWS docs: Amazon SNS API Reference, the page of each action.
 */
import { invalidParameter } from '../errors.js';
import type { SnsContext } from '../context.js';
import {
  DEFAULT_EFFECTIVE_DELIVERY_POLICY,
  FIFO_TOPIC_NAME,
  TOPIC_ATTRIBUTES,
  TOPIC_NAME,
  defaultTopicPolicy,
  topicArn,
  type Topic,
} from '../model.js';
import { optList, optStringMap, optTags, optString, reqString, requireTopic, type Input, type Output } from './input.js';

const PAGE = 100;

export function createTopic(ctx: SnsContext, input: Input): Output {
  const name = reqString(input, 'Name');
  const attributes = optStringMap(input, 'Attributes') ?? {};
  const tags = optTags(input, 'Tags') ?? {};
  const fifo = attributes['FifoTopic'] === 'true';
  if (fifo ? !FIFO_TOPIC_NAME.test(name) : !TOPIC_NAME.test(name)) {
    throw invalidParameter(fifo ? 'Fifo Topic names must end with .fifo and they must be created with the FifoTopic attribute set to true' : 'Topic Name');
  }
  const settable = checkTopicAttributes(attributes, fifo, true);
  return { TopicArn: ensureTopic(ctx, name, fifo, settable, tags, true).arn };
}

/** Checks topic attributes; FifoTopic is accepted only at creation. */
export function checkTopicAttributes(attributes: Record<string, string>, fifo: boolean, creating: boolean): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'FifoTopic') {
      if (!creating) throw invalidParameter('AttributeName');
      if (value !== 'true' && value !== 'false') throw invalidParameter('Attributes Reason: FifoTopic must be true or false');
      continue;
    }
    if (!TOPIC_ATTRIBUTES.has(name)) throw invalidParameter(creating ? `Attributes Reason: Unknown attribute ${name}` : 'AttributeName');
    if (name === 'ContentBasedDeduplication') {
      if (!fifo) throw invalidParameter('Attributes Reason: Content-Based Deduplication can only be set for FIFO topics');
      if (value !== 'true' && value !== 'false') throw invalidParameter('Attributes Reason: ContentBasedDeduplication must be true or false');
    }
    if (name === 'SignatureVersion' && value !== '1' && value !== '2') throw invalidParameter('Attributes Reason: SignatureVersion must be 1 or 2');
    out[name] = value;
  }
  return out;
}

/**
 * Creates the topic or returns the existing one. An existing topic with different attributes is
 * an error for the API (`strict`) and updated for template topics.
 */
export function ensureTopic(ctx: SnsContext, name: string, fifo: boolean, attributes: Record<string, string>, tags: Record<string, string>, strict: boolean): Topic {
  const arn = topicArn(ctx.region, ctx.accountId, name);
  const existing = ctx.store.topics.get(arn);
  if (existing !== undefined) {
    const differs = Object.entries(attributes).some(([key, value]) => existing.attributes[key] !== value) || existing.fifo !== fifo;
    if (!differs && Object.entries(tags).every(([key, value]) => existing.tags[key] === value)) return existing;
    if (strict && differs) throw invalidParameter('Attributes Reason: Topic already exists with different attributes');
    const updated: Topic = { ...existing, attributes: { ...existing.attributes, ...attributes }, tags: { ...existing.tags, ...tags } };
    ctx.store.putTopic(updated);
    return updated;
  }
  const topic: Topic = { arn, name, fifo, attributes: { ...attributes }, tags: { ...tags } };
  ctx.store.putTopic(topic);
  return topic;
}

/** Deleting a topic that does not exist succeeds (SNS's DeleteTopic is idempotent). */
export function deleteTopic(ctx: SnsContext, input: Input): Output {
  const arn = reqString(input, 'TopicArn');
  if (ctx.store.topics.has(arn)) ctx.store.deleteTopic(arn);
  return {};
}

export function listTopics(ctx: SnsContext, input: Input): Output {
  const arns = [...ctx.store.topics.keys()].sort();
  const { page, next } = paginate(arns, optString(input, 'NextToken'));
  const output: Output = { Topics: page.map((TopicArn) => ({ TopicArn })) };
  if (next !== undefined) output['NextToken'] = next;
  return output;
}

/** Pages of 100 after the item a token names (the token is the base64 of the last item). */
export function paginate(items: string[], token: string | undefined): { page: string[]; next: string | undefined } {
  let start = 0;
  if (token !== undefined && token !== '') {
    const after = Buffer.from(token, 'base64').toString('utf8');
    start = items.findIndex((item) => item > after);
    if (start === -1) start = items.length;
  }
  const page = items.slice(start, start + PAGE);
  const next = start + PAGE < items.length ? Buffer.from(page[page.length - 1]!, 'utf8').toString('base64') : undefined;
  return { page, next };
}

export function getTopicAttributes(ctx: SnsContext, input: Input): Output {
  const topic = requireTopic(ctx, optString(input, 'TopicArn'));
  const subscriptions = ctx.store.subscriptionsOf(topic.arn);
  const attributes: Record<string, string> = {
    Policy: defaultTopicPolicy(topic.arn, ctx.accountId),
    Owner: ctx.accountId,
    SubscriptionsPending: String(subscriptions.filter((s) => !s.confirmed).length),
    TopicArn: topic.arn,
    EffectiveDeliveryPolicy: DEFAULT_EFFECTIVE_DELIVERY_POLICY,
    SubscriptionsConfirmed: String(subscriptions.filter((s) => s.confirmed).length),
    DisplayName: '',
    SubscriptionsDeleted: '0',
    ...topic.attributes,
  };
  if (topic.fifo) {
    attributes['FifoTopic'] = 'true';
    attributes['ContentBasedDeduplication'] = topic.attributes['ContentBasedDeduplication'] ?? 'false';
  }
  return { Attributes: attributes };
}

export function setTopicAttributes(ctx: SnsContext, input: Input): Output {
  const topic = requireTopic(ctx, optString(input, 'TopicArn'));
  const name = reqString(input, 'AttributeName');
  const value = optString(input, 'AttributeValue') ?? '';
  checkTopicAttributes({ [name]: value }, topic.fifo, false);
  ctx.store.putTopic({ ...topic, attributes: { ...topic.attributes, [name]: value } });
  return {};
}

export function tagResource(ctx: SnsContext, input: Input): Output {
  const topic = requireTopic(ctx, optString(input, 'ResourceArn'), 'ResourceArn');
  const tags = optTags(input, 'Tags') ?? {};
  ctx.store.putTopic({ ...topic, tags: { ...topic.tags, ...tags } });
  return {};
}

export function untagResource(ctx: SnsContext, input: Input): Output {
  const topic = requireTopic(ctx, optString(input, 'ResourceArn'), 'ResourceArn');
  const keys = (optList(input, 'TagKeys') ?? []).map(String);
  const tags = { ...topic.tags };
  for (const key of keys) delete tags[key];
  ctx.store.putTopic({ ...topic, tags });
  return {};
}

export function listTagsForResource(ctx: SnsContext, input: Input): Output {
  const topic = requireTopic(ctx, optString(input, 'ResourceArn'), 'ResourceArn');
  return { Tags: Object.entries(topic.tags).map(([Key, Value]) => ({ Key, Value })) };
}

export function permission(ctx: SnsContext, input: Input): Output {
  requireTopic(ctx, optString(input, 'TopicArn'));
  reqString(input, 'Label');
  return {};
}
