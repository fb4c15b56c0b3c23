/**
 * The template's topics and subscriptions exist at start: `AWS::SNS::Topic` (TopicName or the
 * name in its ARN, FifoTopic, ContentBasedDeduplication, DisplayName, ..., and its inline
 * `Subscription` list), `AWS::SNS::Subscription` (Protocol, Endpoint, RawMessageDelivery,
 * FilterPolicy, FilterPolicyScope, ...), `AWS::SNS::TopicPolicy` (kept as the topics' Policy).
 * Template subscriptions keep one ARN across restarts; pending HTTP/S ones are sent their
 * SubscriptionConfirmation again at each start.
 * AWS docs: CloudFormation User Guide, "AWS::SNS::Topic", "AWS::SNS::Subscription", "AWS::SNS::TopicPolicy".
 */
import type { Project, TemplateResource } from '../../definitions/model.js';
import { AwsServiceError } from '../protocol/errors.js';
import type { SnsContext } from './context.js';
import type { Subscription } from './model.js';
import { checkTopicAttributes, ensureTopic } from './operations/topics.js';
import { ensureSubscription, templateSubscriptionArn } from './operations/subscriptions.js';
import { resourceProblem } from '../../definitions/errors.js';

const TOPIC_PROPERTIES = ['DisplayName', 'KmsMasterKeyId', 'ContentBasedDeduplication', 'SignatureVersion', 'TracingConfig', 'ArchivePolicy', 'FifoThroughputScope', 'DeliveryPolicy', 'DataProtectionPolicy'];
const SUBSCRIPTION_PROPERTIES = ['RawMessageDelivery', 'FilterPolicy', 'FilterPolicyScope', 'RedrivePolicy', 'DeliveryPolicy', 'SubscriptionRoleArn', 'ReplayPolicy'];

function text(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

function fail(resource: TemplateResource, message: string): never {
  throw resourceProblem(resource, message);
}

/**
 * SAM function `Events` of type SNS: a lambda subscription of the function to Topic, with
 * FilterPolicy / FilterPolicyScope / RedrivePolicy (AWS SAM developer guide, "SNS" event source type).
 */
function functionSubscriptions(project: Project, resource: TemplateResource): { event: string; topicArn: string; functionArn: string; attributes: Record<string, string> }[] {
  const fn = project.functions.find((f) => f.logicalId === resource.logicalId);
  const events = resource.properties['Events'];
  if (fn === undefined || events === null || typeof events !== 'object') return [];
  const out = [];
  for (const [event, value] of Object.entries(events as Record<string, { Type?: unknown; Properties?: Record<string, unknown> }>)) {
    if (value?.Type !== 'SNS') continue;
    const props = value.Properties ?? {};
    const attributes: Record<string, string> = {};
    for (const property of ['FilterPolicy', 'FilterPolicyScope', 'RedrivePolicy']) if (props[property] !== undefined && props[property] !== null) attributes[property] = text(props[property]);
    out.push({ event, topicArn: text(props['Topic'] ?? ''), functionArn: fn.arn, attributes });
  }
  return out;
}

/** Creates or updates the template's topics and subscriptions; returns the subscriptions still pending. */
export function createTemplateResources(ctx: SnsContext, project: Project): Subscription[] {
  const pending: Subscription[] = [];
  const guarded = <T>(resource: TemplateResource, fn: () => T): T => {
    try {
      return fn();
    } catch (error) {
      if (error instanceof AwsServiceError) fail(resource, error.message);
      throw error;
    }
  };
  const track = (subscription: Subscription) => {
    if (!subscription.confirmed && (subscription.protocol === 'http' || subscription.protocol === 'https')) pending.push(subscription);
  };
  for (const resource of project.resources) {
    if (resource.type !== 'AWS::SNS::Topic') continue;
    const props = resource.properties;
    const arnName = resource.physicalId.slice(resource.physicalId.lastIndexOf(':') + 1);
    const name = typeof props['TopicName'] === 'string' ? props['TopicName'] : arnName;
    const fifo = text(props['FifoTopic']) === 'true' || name.endsWith('.fifo');
    const attributes: Record<string, string> = {};
    for (const property of TOPIC_PROPERTIES) if (props[property] !== undefined && props[property] !== null) attributes[property] = text(props[property]);
    const tags: Record<string, string> = {};
    if (Array.isArray(props['Tags'])) for (const tag of props['Tags'] as { Key?: unknown; Value?: unknown }[]) if (typeof tag?.Key === 'string') tags[tag.Key] = text(tag.Value ?? '');
    const topic = guarded(resource, () => ensureTopic(ctx, name, fifo, checkTopicAttributes(attributes, fifo, true), tags, false));
    const inline = Array.isArray(props['Subscription']) ? (props['Subscription'] as { Endpoint?: unknown; Protocol?: unknown }[]) : [];
    for (const entry of inline) {
      const protocol = text(entry?.Protocol ?? '').toLowerCase();
      const endpoint = text(entry?.Endpoint ?? '');
      track(guarded(resource, () => ensureSubscription(ctx, topic, protocol, endpoint, {}, templateSubscriptionArn(topic.arn, `${protocol}\n${endpoint}`))));
    }
  }
  for (const resource of project.resources) {
    if (resource.type === 'AWS::SNS::Subscription') {
      const props = resource.properties;
      const topicArn = text(props['TopicArn'] ?? '');
      const topic = ctx.store.topics.get(topicArn);
      if (topic === undefined) fail(resource, `TopicArn ${topicArn} is not a topic of the template`);
      const attributes: Record<string, string> = {};
      for (const property of SUBSCRIPTION_PROPERTIES) if (props[property] !== undefined && props[property] !== null) attributes[property] = text(props[property]);
      const protocol = text(props['Protocol'] ?? '').toLowerCase();
      const endpoint = text(props['Endpoint'] ?? '');
      const arn = resource.physicalId.startsWith(`${topic.arn}:`) ? resource.physicalId : templateSubscriptionArn(topic.arn, resource.logicalId);
      track(guarded(resource, () => ensureSubscription(ctx, topic, protocol, endpoint, attributes, arn)));
    } else if (resource.type === 'AWS::Serverless::Function') {
      for (const subscription of functionSubscriptions(project, resource)) {
        const topic = ctx.store.topics.get(subscription.topicArn);
        if (topic === undefined) fail(resource, `event ${subscription.event}: Topic ${subscription.topicArn} is not a topic of the template`);
        const arn = templateSubscriptionArn(topic.arn, resource.logicalId + subscription.event);
        guarded(resource, () => ensureSubscription(ctx, topic, 'lambda', subscription.functionArn, subscription.attributes, arn));
      }
    } else if (resource.type === 'AWS::SNS::TopicPolicy') {
      const document = resource.properties['PolicyDocument'];
      const topics = Array.isArray(resource.properties['Topics']) ? (resource.properties['Topics'] as unknown[]) : [];
      for (const arn of topics) {
        const topic = ctx.store.topics.get(text(arn));
        if (topic === undefined) continue;
        const policy = text(document);
        if (topic.attributes['Policy'] !== policy) ctx.store.putTopic({ ...topic, attributes: { ...topic.attributes, Policy: policy } });
      }
    }
  }
  return pending;
}
