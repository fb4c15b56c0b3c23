/**
 * Subscription operations: Subscribe (SQS, Lambda and Firehose confirmed at once; HTTP/S sent a
 * SubscriptionConfirmation and pending until ConfirmSubscription or a GET of the SubscribeURL;
 * email pending, its SubscribeURL logged), ConfirmSubscription, Unsubscribe, ListSubscriptions,
 * ListSubscriptionsByTopic, GetSubscriptionAttributes, SetSubscriptionAttributes.
 * AWS docs: Amazon SNS API Reference, the page of each action; SNS Developer Guide "Fanout to
 * HTTP/S endpoints" (confirmation) and "Subscription filter policies".
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { invalidParameter, subscriptionNotFound } from '../errors.js';
import type { SnsContext } from '../context.js';
import { sendConfirmation, subscribeUrl } from '../delivery.js';
import { parseFilterPolicy } from '../filter-policy.js';
import { DEFAULT_EFFECTIVE_DELIVERY_POLICY, PROTOCOLS, RAW_PROTOCOLS, SUBSCRIPTION_ATTRIBUTES, type Protocol, type Subscription, type Topic } from '../model.js';
import { optBool, optString, optStringMap, reqString, requireTopic, type Input, type Output } from './input.js';
import { paginate } from './topics.js';

const SQS_ARN = /^arn:aws[a-z-]*:sqs:[a-z0-9-]+:\d{12}:[A-Za-z0-9_.-]+$/;
const LAMBDA_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9_-]+(:[A-Za-z0-9$_-]+)?$/;
const PENDING = 'pending confirmation';

export function subscribe(ctx: SnsContext, input: Input): Output {
  const topic = requireTopic(ctx, optString(input, 'TopicArn'));
  const protocol = reqString(input, 'Protocol').toLowerCase();
  const endpoint = optString(input, 'Endpoint') ?? '';
  const attributes = optStringMap(input, 'Attributes') ?? {};
  const returnArn = optBool(input, 'ReturnSubscriptionArn') ?? false;
  const subscription = ensureSubscription(ctx, topic, protocol, endpoint, attributes, undefined);
  return { SubscriptionArn: subscription.confirmed || returnArn ? subscription.arn : PENDING };
}

/**
 * Creates a subscription (or returns the same topic/protocol/endpoint's existing one, as SNS
 * does). `arn` fixes the ARN (template subscriptions keep theirs across restarts).
 */
export function ensureSubscription(
  ctx: SnsContext,
  topic: Topic,
  protocol: string,
  endpoint: string,
  attributes: Record<string, string>,
  arn: string | undefined,
): Subscription {
  if (!PROTOCOLS.has(protocol)) throw invalidParameter(`Amazon SNS does not support this protocol string: ${protocol}`);
  checkEndpoint(protocol, endpoint, topic);
  const checked = checkSubscriptionAttributes(protocol, attributes);
  const existing = ctx.store.subscriptionsOf(topic.arn).find((s) => s.protocol === protocol && s.endpoint === endpoint);
  if (existing !== undefined) {
    const differs = Object.entries(checked).some(([key, value]) => (existing.attributes[key] ?? '') !== value);
    if (!differs) return existing;
    if (arn === undefined) throw invalidParameter('Attributes Reason: Subscription already exists with different attributes');
    const updated = { ...existing, attributes: { ...existing.attributes, ...checked } };
    ctx.store.putSubscription(updated);
    return updated;
  }
  const pending = protocol === 'http' || protocol === 'https' || protocol === 'email' || protocol === 'email-json';
  const subscription: Subscription = {
    arn: arn ?? `${topic.arn}:${randomUUID()}`,
    topicArn: topic.arn,
    protocol: protocol as Protocol,
    endpoint,
    attributes: checked,
    confirmed: !pending,
    token: pending ? randomBytes(64).toString('hex') : null,
    confirmedByUrl: false,
  };
  ctx.store.putSubscription(subscription);
  if (protocol === 'http' || protocol === 'https') {
    void sendConfirmation(ctx, topic, subscription, 'SubscriptionConfirmation');
  } else if (pending) {
    ctx.log.info(`sns: ${protocol} subscription ${endpoint} to ${topic.arn} is pending; confirm it at ${subscribeUrl(ctx, topic.arn, subscription.token!)}`);
  }
  return subscription;
}

function checkEndpoint(protocol: string, endpoint: string, topic: Topic): void {
  switch (protocol) {
    case 'http':
    case 'https':
      if (!endpoint.startsWith(`${protocol}://`)) throw invalidParameter('Endpoint must match the specified protocol');
      break;
    case 'sqs':
      if (!SQS_ARN.test(endpoint)) throw invalidParameter('SQS endpoint ARN');
      if (!topic.fifo && endpoint.endsWith('.fifo')) throw invalidParameter('Endpoint Reason: FIFO SQS Queues can not be subscribed to standard SNS topics');
      break;
    case 'lambda':
      if (!LAMBDA_ARN.test(endpoint)) throw invalidParameter('Lambda endpoint ARN');
      break;
    default:
      if (endpoint === '') throw invalidParameter('Endpoint');
  }
}

function checkSubscriptionAttributes(protocol: string, attributes: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attributes)) out[name] = checkSubscriptionAttribute(protocol, name, value, attributes);
  return out;
}

function checkSubscriptionAttribute(protocol: string, name: string, value: string, all: Record<string, string>): string {
  if (!SUBSCRIPTION_ATTRIBUTES.has(name)) throw invalidParameter('AttributeName');
  switch (name) {
    case 'RawMessageDelivery':
      if (value !== 'true' && value !== 'false') throw invalidParameter('Attributes Reason: RawMessageDelivery: Invalid value [' + value + ']. Must be true or false.');
      if (value === 'true' && !RAW_PROTOCOLS.has(protocol)) throw invalidParameter(`Attributes Reason: Delivery protocol [${protocol}] does not support raw message delivery.`);
      return value;
    case 'FilterPolicyScope':
      if (value !== 'MessageAttributes' && value !== 'MessageBody') throw invalidParameter('Attributes Reason: FilterPolicyScope: Invalid value [' + value + ']. Please use either MessageBody or MessageAttributes');
      return value;
    case 'FilterPolicy':
      if (value !== '') parseFilterPolicy(value, (all['FilterPolicyScope'] ?? 'MessageAttributes') as 'MessageAttributes' | 'MessageBody');
      return value;
    default:
      return value;
  }
}

/** Confirms a pending subscription by its token (also what a GET of the SubscribeURL does). */
export function confirmSubscription(ctx: SnsContext, input: Input, byUrl = false): Output {
  const topic = requireTopic(ctx, optString(input, 'TopicArn'));
  const token = reqString(input, 'Token');
  const subscription = ctx.store.subscriptionsOf(topic.arn).find((s) => s.token === token);
  if (subscription === undefined) throw invalidParameter('Token');
  if (!subscription.confirmed) ctx.store.putSubscription({ ...subscription, confirmed: true, confirmedByUrl: byUrl });
  return { SubscriptionArn: subscription.arn };
}

export function unsubscribe(ctx: SnsContext, input: Input): Output {
  const arn = reqString(input, 'SubscriptionArn');
  const subscription = ctx.store.subscriptions.get(arn);
  if (subscription === undefined) {
    if (!arn.startsWith('arn:')) throw invalidParameter('SubscriptionArn');
    return {};
  }
  ctx.store.deleteSubscription(arn);
  if ((subscription.protocol === 'http' || subscription.protocol === 'https') && subscription.confirmed) {
    const token = subscription.token ?? randomBytes(64).toString('hex');
    void sendConfirmation(ctx, ctx.store.topics.get(subscription.topicArn), { ...subscription, token }, 'UnsubscribeConfirmation');
  }
  return {};
}

function summary(ctx: SnsContext, s: Subscription): Output {
  return { SubscriptionArn: s.confirmed ? s.arn : 'PendingConfirmation', Owner: ctx.accountId, Protocol: s.protocol, Endpoint: s.endpoint, TopicArn: s.topicArn };
}

export function listSubscriptions(ctx: SnsContext, input: Input): Output {
  return listOf(ctx, [...ctx.store.subscriptions.values()], optString(input, 'NextToken'));
}

export function listSubscriptionsByTopic(ctx: SnsContext, input: Input): Output {
  const topic = requireTopic(ctx, optString(input, 'TopicArn'));
  return listOf(ctx, [...ctx.store.subscriptionsOf(topic.arn)], optString(input, 'NextToken'));
}

function listOf(ctx: SnsContext, subscriptions: Subscription[], token: string | undefined): Output {
  const byArn = new Map(subscriptions.map((s) => [s.arn, s]));
  const { page, next } = paginate([...byArn.keys()].sort(), token);
  const output: Output = { Subscriptions: page.map((arn) => summary(ctx, byArn.get(arn)!)) };
  if (next !== undefined) output['NextToken'] = next;
  return output;
}

function requireSubscription(ctx: SnsContext, input: Input): Subscription {
  const arn = reqString(input, 'SubscriptionArn');
  const subscription = ctx.store.subscriptions.get(arn);
  if (subscription === undefined) {
    if (!arn.startsWith('arn:')) throw invalidParameter('SubscriptionArn');
    throw subscriptionNotFound();
  }
  return subscription;
}

export function getSubscriptionAttributes(ctx: SnsContext, input: Input): Output {
  const s = requireSubscription(ctx, input);
  const attributes: Record<string, string> = {
    Owner: ctx.accountId,
    RawMessageDelivery: 'false',
    TopicArn: s.topicArn,
    Endpoint: s.endpoint,
    Protocol: s.protocol,
    PendingConfirmation: s.confirmed ? 'false' : 'true',
    ConfirmationWasAuthenticated: s.confirmed && !s.confirmedByUrl ? 'true' : 'false',
    SubscriptionArn: s.arn,
    SubscriptionPrincipal: `arn:aws:iam::${ctx.accountId}:root`,
    ...s.attributes,
  };
  if (s.protocol === 'http' || s.protocol === 'https') attributes['EffectiveDeliveryPolicy'] = DEFAULT_EFFECTIVE_DELIVERY_POLICY;
  if (attributes['FilterPolicy'] !== undefined && attributes['FilterPolicyScope'] === undefined) attributes['FilterPolicyScope'] = 'MessageAttributes';
  return { Attributes: attributes };
}

export function setSubscriptionAttributes(ctx: SnsContext, input: Input): Output {
  const s = requireSubscription(ctx, input);
  const name = reqString(input, 'AttributeName');
  const value = optString(input, 'AttributeValue') ?? '';
  const merged = { ...s.attributes, [name]: value };
  checkSubscriptionAttribute(s.protocol, name, value, merged);
  // A new scope must still parse the existing policy under it.
  if (name === 'FilterPolicyScope' && merged['FilterPolicy'] !== undefined && merged['FilterPolicy'] !== '') {
    parseFilterPolicy(merged['FilterPolicy'], value as 'MessageAttributes' | 'MessageBody');
  }
  if (value === '' && name === 'FilterPolicy') delete merged['FilterPolicy'];
  ctx.store.putSubscription({ ...s, attributes: merged });
  return {};
}

/** A stable subscription ARN for a template subscription (same logical id, same ARN on every start). */
export function templateSubscriptionArn(topicArn: string, key: string): string {
  const hex = createHash('sha256').update(`${topicArn}\n${key}`).digest('hex');
  return `${topicArn}:${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

