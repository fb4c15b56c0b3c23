/**
 * Delivering a notification to a topic's confirmed subscriptions whose filter policy matches:
 * SQS straight into the embedded queue store (durable before Publish answers; the JSON envelope,
 * or the message itself with its attributes as SQS message attributes under RawMessageDelivery),
 * Lambda as an asynchronous invocation with the SNS event, HTTP/S as a POST with SNS's headers,
 * retried per the default delivery policy. Also the HTTP/S confirmation messages.
 * AWS docs: Amazon SNS Developer Guide, "Fanout to Amazon SQS queues", "Amazon SNS raw message
 * delivery", "Fanout to Lambda functions", "Fanout to HTTP/S endpoints" (headers, confirmation),
 * "Amazon SNS message delivery retries", "Amazon SNS message filtering".
 */
import { randomUUID } from 'node:crypto';
import { runningSqs, type MessageAttributes } from '../sqs/index.js';
import type { SnsContext } from './context.js';
import { confirmationMessage, lambdaEvent, messageFor, notificationEnvelope, type Links, type Notification } from './envelope.js';
import { matchesAttributes, matchesBody, parseFilterPolicy, type FilterPolicy } from './filter-policy.js';
import type { Subscription, Topic } from './model.js';

const HTTP_TIMEOUT_MS = 15_000;
const DEFAULT_RETRY_DELAYS_MS = [20_000, 20_000, 20_000];
const USER_AGENT = 'Amazon Simple Notification Service Agent';

// The ARNs in SNS's links are not percent-encoded (AWS's messages: ...&SubscriptionArn=arn:aws:sns:us-west-2:123456789012:MyTopic:c9135db0-...;
// SNS Developer Guide, "HTTP/HTTPS notification JSON format" / "subscription confirmation JSON format").
export function links(ctx: SnsContext, topic: Topic | undefined, subscriptionArn: string): Links {
  return {
    signingCertUrl: `${ctx.endpoint}/_gatehouse/sns/SimpleNotificationService.pem`,
    unsubscribeUrl: `${ctx.endpoint}/?Action=Unsubscribe&SubscriptionArn=${subscriptionArn}`,
    signatureVersion: topic?.attributes['SignatureVersion'] ?? '1',
  };
}

export function subscribeUrl(ctx: SnsContext, topicArn: string, token: string): string {
  return `${ctx.endpoint}/?Action=ConfirmSubscription&TopicArn=${topicArn}&Token=${token}`;
}

const policies = new WeakMap<Subscription, { text: string; scope: string; policy: FilterPolicy }>();

/** Whether the subscription's filter policy lets the notification through (no policy: yes). */
export function passesFilter(subscription: Subscription, notification: Notification): boolean {
  const text = subscription.attributes['FilterPolicy'];
  if (text === undefined || text === '') return true;
  const scope = subscription.attributes['FilterPolicyScope'] === 'MessageBody' ? 'MessageBody' : 'MessageAttributes';
  let cached = policies.get(subscription);
  if (cached === undefined || cached.text !== text || cached.scope !== scope) {
    cached = { text, scope, policy: parseFilterPolicy(text, scope) };
    policies.set(subscription, cached);
  }
  return scope === 'MessageBody'
    ? matchesBody(cached.policy, messageFor(notification, subscription.protocol))
    : matchesAttributes(cached.policy, notification.attributes);
}

/** Delivers to every matching subscription; resolves once the SQS deliveries are durable. */
export async function deliver(ctx: SnsContext, topic: Topic, notification: Notification): Promise<void> {
  const durable: Promise<void>[] = [];
  for (const subscription of ctx.store.subscriptionsOf(topic.arn)) {
    if (!subscription.confirmed || !passesFilter(subscription, notification)) continue;
    switch (subscription.protocol) {
      case 'sqs':
        durable.push(toSqs(ctx, topic, subscription, notification));
        break;
      case 'lambda':
        toLambda(ctx, topic, subscription, notification);
        break;
      case 'http':
      case 'https':
        void toHttp(ctx, topic, subscription, notification);
        break;
      default:
        ctx.log.debug(`sns: ${subscription.protocol} delivery is not supported; ${subscription.arn} skipped`);
    }
  }
  if (durable.length > 0) await Promise.all(durable);
}

async function toSqs(ctx: SnsContext, topic: Topic, subscription: Subscription, notification: Notification): Promise<void> {
  const sqs = ctx.deps.sqs ?? runningSqs();
  if (sqs === undefined) {
    ctx.log.warn(`sns: no embedded SQS to deliver ${notification.messageId} to ${subscription.endpoint}`);
    return;
  }
  const queue = sqs.resolve(subscription.endpoint);
  if (queue === undefined) {
    ctx.log.warn(`sns: ${subscription.arn}: queue ${subscription.endpoint} does not exist; message ${notification.messageId} not delivered`);
    return;
  }
  const raw = subscription.attributes['RawMessageDelivery'] === 'true';
  try {
    await sqs.send(queue.arn, {
      body: raw ? messageFor(notification, 'sqs') : notificationEnvelope(notification, 'sqs', links(ctx, topic, subscription.arn)),
      attributes: raw ? (notification.attributes as MessageAttributes | undefined) : undefined,
      groupId: queue.fifo ? notification.groupId : undefined,
      dedupId: queue.fifo ? notification.dedupId : undefined,
    });
  } catch (error) {
    ctx.log.warn(`sns: ${subscription.arn}: delivery of ${notification.messageId} to ${queue.name} failed: ${(error as Error).message}`);
  }
}

function toLambda(ctx: SnsContext, topic: Topic, subscription: Subscription, notification: Notification): void {
  const lambda = ctx.deps.lambda;
  if (lambda === undefined) {
    ctx.log.warn(`sns: no Lambda runtime to deliver ${notification.messageId} to ${subscription.endpoint}`);
    return;
  }
  const event = lambdaEvent(notification, subscription.arn, links(ctx, topic, subscription.arn));
  lambda.invoke(subscription.endpoint, event, { invocationType: 'Event' }).catch((error: unknown) => {
    ctx.log.warn(`sns: ${subscription.arn}: invoking ${subscription.endpoint} failed: ${(error as Error).message}`);
  });
}

async function toHttp(ctx: SnsContext, topic: Topic, subscription: Subscription, notification: Notification): Promise<void> {
  const raw = subscription.attributes['RawMessageDelivery'] === 'true';
  const headers: Record<string, string> = {
    'x-amz-sns-message-type': 'Notification',
    'x-amz-sns-message-id': notification.messageId,
    'x-amz-sns-topic-arn': topic.arn,
    'x-amz-sns-subscription-arn': subscription.arn,
    'Content-Type': 'text/plain; charset=UTF-8',
    'User-Agent': USER_AGENT,
  };
  if (raw) headers['x-amz-sns-rawdelivery'] = 'true';
  const body = raw ? messageFor(notification, subscription.protocol) : notificationEnvelope(notification, subscription.protocol, links(ctx, topic, subscription.arn));
  await post(ctx, subscription.endpoint, headers, body, `notification ${notification.messageId}`);
}

/** Sends the SubscriptionConfirmation (or UnsubscribeConfirmation) of an HTTP/S subscription. */
export async function sendConfirmation(
  ctx: SnsContext,
  topic: Topic | undefined,
  subscription: Subscription,
  type: 'SubscriptionConfirmation' | 'UnsubscribeConfirmation',
): Promise<boolean> {
  const messageId = randomUUID();
  const token = subscription.token ?? '';
  const body = confirmationMessage(
    { type, subscriptionArn: subscription.arn, messageId, token, topicArn: subscription.topicArn, subscribeUrl: subscribeUrl(ctx, subscription.topicArn, token), timestamp: new Date(ctx.now()).toISOString() },
    links(ctx, topic, subscription.arn),
  );
  const headers: Record<string, string> = {
    'x-amz-sns-message-type': type,
    'x-amz-sns-message-id': messageId,
    'x-amz-sns-topic-arn': subscription.topicArn,
    'Content-Type': 'text/plain; charset=UTF-8',
    'User-Agent': USER_AGENT,
  };
  if (type === 'UnsubscribeConfirmation') headers['x-amz-sns-subscription-arn'] = subscription.arn;
  return post(ctx, subscription.endpoint, headers, body, `${type} for ${subscription.arn}`);
}

/** POSTs with the delivery policy's retries; any 2xx is a delivery. */
async function post(ctx: SnsContext, url: string, headers: Record<string, string>, body: string, what: string): Promise<boolean> {
  const delays = ctx.deps.httpRetryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const shutdown = ctx.shutdown.signal;
  for (let attempt = 0; ; attempt++) {
    if (shutdown.aborted) return false;
    let problem: string;
    try {
      const response = await fetch(url, { method: 'POST', headers, body, signal: AbortSignal.any([shutdown, AbortSignal.timeout(HTTP_TIMEOUT_MS)]) });
      await response.arrayBuffer();
      if (response.status >= 200 && response.status < 300) return true;
      problem = `status ${response.status}`;
    } catch (error) {
      problem = (error as Error).message;
    }
    if (attempt >= delays.length) {
      ctx.log.warn(`sns: ${what} to ${url} failed after ${attempt + 1} attempts: ${problem}`);
      return false;
    }
    await sleep(delays[attempt]!, shutdown);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    timer.unref();
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
