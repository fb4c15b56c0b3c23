/**
 * Publish and PublishBatch: the message checked as SNS checks it (subject, MessageStructure json
 * with its `default`, message attributes String/String.Array/Number/Binary, FIFO group and
 * deduplication within 5 minutes by id or SHA-256 of the message), then delivered to the matching
 * subscriptions. Publish answers once SQS deliveries are durable. SMS (PhoneNumber) is accepted
 * and not sent.
 * AWS docs: Amazon SNS API Reference, "Publish" and "PublishBatch"; SNS Developer Guide "Amazon SNS
 * message attributes", "Message deduplication for FIFO topics".
 */
import { createHash, randomUUID } from 'node:crypto';
import { SnsError, invalidParameter } from '../errors.js';
import type { SnsContext } from '../context.js';
import { deliver } from '../delivery.js';
import type { Notification } from '../envelope.js';
import type { AttributeValue } from '../filter-policy.js';
import type { Topic } from '../model.js';
import { optList, optString, reqString, requireTopic, type Input, type Output } from './input.js';

const MAX_MESSAGE_BYTES = 262_144;
const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;
const MAX_BATCH = 10;
const SUBJECT = /^[\x20-\x7E]{1,100}$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

export async function publish(ctx: SnsContext, input: Input): Promise<Output> {
  const arn = optString(input, 'TopicArn') ?? optString(input, 'TargetArn');
  if (arn === undefined && optString(input, 'PhoneNumber') !== undefined) {
    reqString(input, 'Message');
    ctx.log.info(`sns: SMS to ${optString(input, 'PhoneNumber')} is not sent by gatehouse`);
    return { MessageId: randomUUID() };
  }
  if (arn === undefined) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
  const topic = requireTopic(ctx, arn);
  const prepared = prepare(ctx, topic, input);
  if (prepared.duplicate === undefined) await deliver(ctx, topic, prepared.notification);
  return result(prepared);
}

interface Prepared {
  notification: Notification;
  /** Set when a FIFO topic saw the deduplication id within 5 minutes: the first answer. */
  duplicate: { messageId: string; sequenceNumber: string } | undefined;
}

function result(prepared: Prepared): Output {
  const messageId = prepared.duplicate?.messageId ?? prepared.notification.messageId;
  const sequenceNumber = prepared.duplicate?.sequenceNumber ?? prepared.notification.sequenceNumber;
  return sequenceNumber === undefined ? { MessageId: messageId } : { MessageId: messageId, SequenceNumber: sequenceNumber };
}

function prepare(ctx: SnsContext, topic: Topic, input: Input): Prepared {
  const message = optString(input, 'Message');
  if (message === undefined || message === '') throw invalidParameter('Empty message');
  if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) throw invalidParameter('Message too long');
  const subject = optString(input, 'Subject');
  if (subject !== undefined && !SUBJECT.test(subject)) throw invalidParameter('Subject');
  let text = message;
  let perProtocol: Record<string, string> | undefined;
  const structure = optString(input, 'MessageStructure');
  if (structure !== undefined) {
    if (structure !== 'json') throw invalidParameter('MessageStructure');
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      throw invalidParameter('Message Structure - JSON message body failed to parse');
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed) || typeof (parsed as Record<string, unknown>)['default'] !== 'string') {
      throw invalidParameter('Message Structure - No default entry in JSON message body');
    }
    perProtocol = {};
    for (const [protocol, value] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof value === 'string') perProtocol[protocol] = value;
    }
    text = perProtocol['default']!;
  }
  const attributes = checkAttributes(input['MessageAttributes']);
  let groupId = optString(input, 'MessageGroupId');
  let dedupId = optString(input, 'MessageDeduplicationId');
  let sequenceNumber: string | undefined;
  let duplicate: Prepared['duplicate'];
  if (topic.fifo) {
    if (groupId === undefined || groupId === '') throw invalidParameter('The MessageGroupId parameter is required for FIFO topics');
    if (dedupId === undefined) {
      if (topic.attributes['ContentBasedDeduplication'] !== 'true') {
        throw invalidParameter('The topic should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
      dedupId = createHash('sha256').update(message, 'utf8').digest('hex');
    }
    const now = ctx.now();
    const key = `${topic.arn}\n${dedupId}`;
    const seen = ctx.fifoDedup.get(key);
    if (seen !== undefined && seen.expiresAt > now) duplicate = { messageId: seen.messageId, sequenceNumber: seen.sequenceNumber };
    else {
      ctx.sequence += 1n;
      sequenceNumber = ctx.sequence.toString();
    }
  } else {
    if (dedupId !== undefined) {
      throw invalidParameter('MessageDeduplicationId Reason: The request includes MessageDeduplicationId parameter that is not valid for this topic type');
    }
    groupId = groupId === '' ? undefined : groupId;
  }
  const notification: Notification = {
    messageId: randomUUID(),
    topicArn: topic.arn,
    subject,
    message: text,
    perProtocol,
    attributes,
    timestamp: new Date(ctx.now()).toISOString(),
    groupId,
    dedupId: topic.fifo ? dedupId : undefined,
    sequenceNumber,
  };
  if (topic.fifo && duplicate === undefined) {
    pruneDedup(ctx);
    ctx.fifoDedup.set(`${topic.arn}\n${dedupId}`, { messageId: notification.messageId, sequenceNumber: sequenceNumber!, expiresAt: ctx.now() + DEDUPLICATION_WINDOW_MS });
  }
  return { notification, duplicate };
}

function pruneDedup(ctx: SnsContext): void {
  if (ctx.fifoDedup.size < 10_000) return;
  const now = ctx.now();
  for (const [key, entry] of ctx.fifoDedup) if (entry.expiresAt <= now) ctx.fifoDedup.delete(key);
}

function checkAttributes(value: unknown): Record<string, AttributeValue> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter('MessageAttributes');
  const out: Record<string, AttributeValue> = {};
  for (const [name, raw] of Object.entries(value as Record<string, Partial<AttributeValue> | null>)) {
    const reason = (text: string) => invalidParameter(`MessageAttributes Reason: ${text}`);
    const type = raw?.DataType;
    if (typeof type !== 'string' || type === '') throw reason(`The message attribute '${name}' must contain non-empty message attribute type.`);
    if (type !== 'String' && type !== 'String.Array' && type !== 'Number' && type !== 'Binary' && !/^(String|Number|Binary)\./.test(type)) {
      throw reason(`The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`);
    }
    if (type.startsWith('Binary')) {
      if (typeof raw?.BinaryValue !== 'string' || raw.BinaryValue === '') {
        throw reason(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      }
      out[name] = { DataType: type, BinaryValue: raw.BinaryValue };
      continue;
    }
    const text = raw?.StringValue;
    if (typeof text !== 'string' || text === '') {
      throw reason(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
    }
    if (type.startsWith('Number') && !NUMBER.test(text)) throw reason(`Could not cast message attribute '${name}' value to number.`);
    if (type === 'String.Array') {
      let items: unknown;
      try {
        items = JSON.parse(text);
      } catch {
        items = undefined;
      }
      if (!Array.isArray(items)) throw reason(`The message attribute '${name}' with type 'String.Array' has an invalid value: ${text}`);
    }
    out[name] = { DataType: type, StringValue: text };
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

export async function publishBatch(ctx: SnsContext, input: Input): Promise<Output> {
  const topic = requireTopic(ctx, optString(input, 'TopicArn'));
  const entries = (optList(input, 'PublishBatchRequestEntries') ?? []) as Input[];
  if (entries.length === 0) throw new SnsError('EmptyBatchRequest', "The batch request doesn't contain any entries");
  if (entries.length > MAX_BATCH) throw new SnsError('TooManyEntriesInBatchRequest', 'The batch request contains more entries than permissible.');
  const ids = new Set<string>();
  let total = 0;
  for (const entry of entries) {
    const id = entry?.['Id'];
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
      throw new SnsError('InvalidBatchEntryId', "The Id of a batch entry in a batch request doesn't abide by the specification.");
    }
    if (ids.has(id)) throw new SnsError('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
    ids.add(id);
    total += typeof entry['Message'] === 'string' ? Buffer.byteLength(entry['Message'], 'utf8') : 0;
  }
  if (total > MAX_MESSAGE_BYTES) throw new SnsError('BatchRequestTooLong', 'The length of all the messages put together is more than the limit.');
  const successful: Output[] = [];
  const failed: Output[] = [];
  const deliveries: Promise<void>[] = [];
  for (const entry of entries) {
    const id = entry['Id'] as string;
    try {
      const prepared = prepare(ctx, topic, entry);
      if (prepared.duplicate === undefined) deliveries.push(deliver(ctx, topic, prepared.notification));
      successful.push({ Id: id, ...result(prepared) });
    } catch (error) {
      if (!(error instanceof SnsError)) throw error;
      failed.push({ Id: id, Code: error.code, Message: error.message, SenderFault: error.fault === 'client' });
    }
  }
  await Promise.all(deliveries);
  return { Successful: successful, Failed: failed };
}
