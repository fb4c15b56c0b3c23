/**
 * The SQS data model: queues with their attributes (names, defaults and valid ranges as the
 * CreateQueue / SetQueueAttributes reference lists them), messages and message attributes in the
 * JSON protocol's shape, and queue URLs/ARNs in AWS's form.
 * AWS docs: Amazon SQS API Reference, CreateQueue ("Attributes"), SetQueueAttributes, GetQueueAttributes,
 * "MessageAttributeValue"; SQS Developer Guide "Amazon SQS queue and message identifiers".
 */

export interface MessageAttributeValue {
  DataType: string;
  StringValue?: string;
  /** Base64, as the JSON protocol and the query protocol both carry it. */
  BinaryValue?: string;
  StringListValues?: string[];
  BinaryListValues?: string[];
}

export type MessageAttributes = Record<string, MessageAttributeValue>;

/** A queue as the store keeps it; `attributes` holds only the settable attributes, as strings. */
export interface Queue {
  name: string;
  fifo: boolean;
  attributes: Record<string, string>;
  /** Epoch seconds. */
  createdAt: number;
  modifiedAt: number;
  tags: Record<string, string>;
  /** Derived from `attributes` once per change (read on every send/receive). */
  settings: QueueSettings;
}

export interface QueueSettings {
  delaySeconds: number;
  maximumMessageSize: number;
  messageRetentionPeriod: number;
  receiveMessageWaitTimeSeconds: number;
  visibilityTimeout: number;
  contentBasedDeduplication: boolean;
  deduplicationScope: 'queue' | 'messageGroup';
  redrive: { deadLetterTargetArn: string; maxReceiveCount: number } | undefined;
}

/** Settable attributes with AWS's defaults; the ones without a default appear only once set. */
export const ATTRIBUTE_DEFAULTS: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '1048576',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

export const FIFO_ATTRIBUTE_DEFAULTS: Readonly<Record<string, string>> = {
  ContentBasedDeduplication: 'false',
  DeduplicationScope: 'queue',
  FifoThroughputLimit: 'perQueue',
};

/** Integer attributes and their valid ranges. */
export const INTEGER_ATTRIBUTES: Readonly<Record<string, readonly [number, number]>> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1048576],
  MessageRetentionPeriod: [60, 1209600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43200],
  KmsDataKeyReusePeriodSeconds: [60, 86400],
};

export const SETTABLE_ATTRIBUTES = new Set([
  ...Object.keys(INTEGER_ATTRIBUTES),
  'Policy',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'SqsManagedSseEnabled',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

/** Only for FIFO queues. */
export const FIFO_ONLY_ATTRIBUTES = new Set(['ContentBasedDeduplication', 'DeduplicationScope', 'FifoThroughputLimit']);

/** Attributes GetQueueAttributes knows besides the settable ones. */
export const READ_ONLY_ATTRIBUTES = new Set([
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
  'QueueArn',
  'FifoQueue',
]);

/** Message system attributes ReceiveMessage can return (`MessageSystemAttributeNames`). */
export const MESSAGE_SYSTEM_ATTRIBUTES = new Set([
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
  'DeadLetterQueueSourceArn',
]);

export const MAX_BATCH_ENTRIES = 10;
export const MAX_MESSAGE_ATTRIBUTES = 10;
/** FIFO deduplication interval: 5 minutes. */
export const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
/** AWS rejects a second PurgeQueue within 60 seconds. */
export const PURGE_INTERVAL_MS = 60 * 1000;

export const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;
export const FIFO_QUEUE_NAME = /^[A-Za-z0-9_-]{1,75}\.fifo$/;

export function settingsOf(attributes: Record<string, string>): QueueSettings {
  const int = (name: string) => Number(attributes[name] ?? ATTRIBUTE_DEFAULTS[name] ?? '0');
  let redrive: QueueSettings['redrive'];
  if (attributes['RedrivePolicy'] !== undefined && attributes['RedrivePolicy'] !== '') {
    const policy = JSON.parse(attributes['RedrivePolicy']) as { deadLetterTargetArn: string; maxReceiveCount: number | string };
    redrive = { deadLetterTargetArn: policy.deadLetterTargetArn, maxReceiveCount: Number(policy.maxReceiveCount) };
  }
  return {
    delaySeconds: int('DelaySeconds'),
    maximumMessageSize: int('MaximumMessageSize'),
    messageRetentionPeriod: int('MessageRetentionPeriod'),
    receiveMessageWaitTimeSeconds: int('ReceiveMessageWaitTimeSeconds'),
    visibilityTimeout: int('VisibilityTimeout'),
    contentBasedDeduplication: attributes['ContentBasedDeduplication'] === 'true',
    deduplicationScope: attributes['DeduplicationScope'] === 'messageGroup' ? 'messageGroup' : 'queue',
    redrive,
  };
}

export function queueArn(region: string, accountId: string, name: string): string {
  return `arn:aws:sqs:${region}:${accountId}:${name}`;
}

export function queueUrl(endpoint: string, accountId: string, name: string): string {
  return `${endpoint.replace(/\/+$/, '')}/${accountId}/${name}`;
}

/**
 * The queue name a QueueUrl, queue ARN or bare name refers to. Any host is accepted (the SDKs may
 * keep an AWS-shaped URL); the name is the last path segment.
 */
export function queueNameOf(ref: string): string {
  if (ref.startsWith('arn:')) return ref.slice(ref.lastIndexOf(':') + 1);
  const q = ref.indexOf('?');
  const path = q === -1 ? ref : ref.slice(0, q);
  const trimmed = path.endsWith('/') ? path.slice(0, -1) : path;
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}
