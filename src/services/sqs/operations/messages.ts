/**
 * Message semantics shared by the protocol operations and the programmatic API: send (delay,
 * attributes, FIFO groups and 5-minute deduplication), receive (visibility timeout, long polling,
 * retention, redrive to the dead-letter queue after maxReceiveCount, one in-flight batch per FIFO
 * message group), delete and visibility changes by receipt handle.
 * AWS docs: Amazon SQS API Reference (SendMessage, ReceiveMessage, DeleteMessage,
 * ChangeMessageVisibility); SQS Developer Guide "FIFO queue delivery logic", "Exactly-once
 * processing", "Using dead-letter queues", "Amazon SQS visibility timeout".
 */
import { createHash, randomUUID } from 'node:crypto';
import { SqsError, invalidParameter, invalidParameters, missingParameter, queueDoesNotExist, receiptHandleInvalid } from '../errors.js';
import type { SqsContext } from '../context.js';
import { md5Hex, md5OfAttributes } from '../md5.js';
import { DEDUPLICATION_WINDOW_MS, MAX_MESSAGE_ATTRIBUTES, queueNameOf, type MessageAttributes, type MessageAttributeValue, type Queue } from '../model.js';
import { sequenceNumberOf, type MessageRow } from '../store.js';
import { arnOf } from './queues.js';

/** Rows a FIFO receive looks at past a full batch, looking for more messages of one group. */
const FIFO_SCAN_LIMIT = 1000;

/** Who SentTimestamp's companion SenderId names: gatehouse does not track IAM identities. */
export const SENDER_ID = 'AIDAGATEHOUSE00000000';

export interface SendRequest {
  body: string;
  delaySeconds?: number | undefined;
  attributes?: MessageAttributes | undefined;
  /** Only `AWSTraceHeader` exists. */
  systemAttributes?: MessageAttributes | undefined;
  groupId?: string | undefined;
  dedupId?: string | undefined;
}

export interface SendResult {
  MessageId: string;
  MD5OfMessageBody: string;
  MD5OfMessageAttributes?: string;
  MD5OfMessageSystemAttributes?: string;
  SequenceNumber?: string;
}

interface PreparedSend {
  id: string;
  body: string;
  attributes: MessageAttributes | undefined;
  md5Body: string;
  md5Attributes: string | undefined;
  md5System: string | undefined;
  traceHeader: string | undefined;
  delayMs: number;
  groupId: string | undefined;
  dedupId: string | undefined;
  dedupKey: string | undefined;
}

// XML 1.0 characters, what SQS accepts in a body ("SendMessage", MessageBody).
const INVALID_BODY_CHARACTER = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
const ID_CHARACTERS = /^[\x21-\x7E]{1,128}$/;
const ATTRIBUTE_NAME = /^(?!\.)(?!.*\.\.)(?!.*\.$)[A-Za-z0-9_.-]{1,256}$/;
const RESERVED_NAME = /^(aws\.|amazon\.)/i;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Validates a message for `queue` as SendMessage does, before anything is written. */
export function prepareSend(queue: Queue, request: SendRequest): PreparedSend {
  const body = request.body;
  if (body === undefined || body === '') throw missingParameter('MessageBody');
  const bad = INVALID_BODY_CHARACTER.exec(body);
  if (bad !== null) {
    throw new SqsError(
      'InvalidMessageContents',
      `Invalid binary character '#x${bad[0].codePointAt(0)!.toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF`,
    );
  }
  const attributes = validateMessageAttributes(request.attributes);
  const traceHeader = validateSystemAttributes(request.systemAttributes);
  let size = Buffer.byteLength(body, 'utf8');
  if (attributes !== undefined) for (const [name, value] of Object.entries(attributes)) size += attributeSize(name, value);
  if (size > queue.settings.maximumMessageSize) {
    throw invalidParameters(`Message must be shorter than ${queue.settings.maximumMessageSize} bytes.`);
  }
  const delay = request.delaySeconds;
  if (delay !== undefined && (!Number.isInteger(delay) || delay < 0 || delay > 900)) {
    throw invalidParameter('DelaySeconds', delay, 'DelaySeconds must be >= 0 and <= 900.');
  }
  let dedupKey: string | undefined;
  let dedupId = request.dedupId;
  const groupId = request.groupId;
  if (groupId !== undefined && !ID_CHARACTERS.test(groupId)) {
    throw invalidParameter('MessageGroupId', groupId, 'MessageGroupId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
  }
  if (dedupId !== undefined && !ID_CHARACTERS.test(dedupId)) {
    throw invalidParameter('MessageDeduplicationId', dedupId, 'MessageDeduplicationId can only include alphanumeric and punctuation characters. 1 to 128 in length.');
  }
  if (queue.fifo) {
    if (groupId === undefined) throw missingParameter('MessageGroupId');
    if (delay !== undefined && delay !== 0) {
      throw invalidParameter('DelaySeconds', delay, 'The request include parameter that is not valid for this queue type.');
    }
    if (dedupId === undefined) {
      if (!queue.settings.contentBasedDeduplication) {
        throw invalidParameters('The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly');
      }
      // Content-based: SHA-256 of the body only, not the attributes.
      dedupId = createHash('sha256').update(body, 'utf8').digest('hex');
    }
    dedupKey = queue.settings.deduplicationScope === 'messageGroup' ? `${groupId}\u0000${dedupId}` : dedupId;
  } else if (dedupId !== undefined) {
    throw invalidParameter('MessageDeduplicationId', dedupId, 'The request include parameter that is not valid for this queue type.');
  }
  const delayMs = (delay ?? queue.settings.delaySeconds) * 1000;
  return {
    id: randomUUID(),
    body,
    attributes,
    md5Body: md5Hex(body),
    md5Attributes: md5OfAttributes(attributes),
    md5System: traceHeader === undefined ? undefined : md5OfAttributes({ AWSTraceHeader: { DataType: 'String', StringValue: traceHeader } }),
    traceHeader,
    delayMs,
    groupId,
    dedupId: queue.fifo ? dedupId : undefined,
    dedupKey,
  };
}

function attributeSize(name: string, value: MessageAttributeValue): number {
  const data = value.StringValue !== undefined ? Buffer.byteLength(value.StringValue, 'utf8') : Buffer.from(value.BinaryValue ?? '', 'base64').length;
  return Buffer.byteLength(name, 'utf8') + Buffer.byteLength(value.DataType, 'utf8') + data;
}

export function validateMessageAttributes(attributes: MessageAttributes | undefined): MessageAttributes | undefined {
  if (attributes === undefined) return undefined;
  const names = Object.keys(attributes);
  if (names.length === 0) return undefined;
  if (names.length > MAX_MESSAGE_ATTRIBUTES) {
    throw invalidParameters(`Number of message attributes [${names.length}] exceeds the allowed maximum [${MAX_MESSAGE_ATTRIBUTES}].`);
  }
  const out: MessageAttributes = {};
  for (const name of names) {
    const value = attributes[name] as Partial<MessageAttributeValue> | null;
    if (!ATTRIBUTE_NAME.test(name)) throw invalidParameters(`Message (user) attribute name ${name} is invalid.`);
    if (RESERVED_NAME.test(name)) throw invalidParameters(`Message (user) attribute name ${name} is reserved for use by SQS.`);
    const type = value?.DataType;
    if (typeof type !== 'string' || type === '') {
      throw invalidParameters(`The message attribute '${name}' must contain non-empty message attribute type.`);
    }
    const base = type.split('.', 1)[0];
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
      throw invalidParameters(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    if (base === 'Binary') {
      const binary = value?.BinaryValue;
      if (typeof binary !== 'string' || binary === '') {
        throw invalidParameters(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      }
      out[name] = { DataType: type, BinaryValue: binary };
    } else {
      const text = value?.StringValue;
      if (typeof text !== 'string' || text === '') {
        throw invalidParameters(`The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`);
      }
      if (base === 'Number' && !NUMBER.test(text)) throw invalidParameters(`Can't cast the value of message (user) attribute '${name}' to a number.`);
      out[name] = { DataType: type, StringValue: text };
    }
  }
  return out;
}

function validateSystemAttributes(attributes: MessageAttributes | undefined): string | undefined {
  if (attributes === undefined) return undefined;
  let trace: string | undefined;
  for (const [name, value] of Object.entries(attributes)) {
    if (name !== 'AWSTraceHeader') throw invalidParameters(`Message system attribute name '${name}' is invalid.`);
    if (value?.DataType !== 'String' || typeof value.StringValue !== 'string' || value.StringValue === '') {
      throw invalidParameters(`Message system attribute '${name}' must contain a non-empty value of type 'String'.`);
    }
    trace = value.StringValue;
  }
  return trace;
}

/** Inside a write: stores a prepared message (or finds its FIFO duplicate) and wakes a waiting receiver. */
export function commitSend(ctx: SqsContext, queueName: string, prepared: PreparedSend): SendResult {
  const queue = ctx.store.queues.get(queueName);
  if (queue === undefined) throw queueDoesNotExist();
  const now = ctx.now();
  if (prepared.dedupKey !== undefined) {
    const duplicate = ctx.store.findDedup(queueName, prepared.dedupKey, now);
    // A duplicate is accepted and answered like the original, but not enqueued again.
    if (duplicate !== undefined) return sendResult(prepared, duplicate.message_id, duplicate.seq, true);
  }
  const seq = ctx.store.insertMessage(queueName, {
    id: prepared.id,
    body: prepared.body,
    attributes: prepared.attributes,
    md5Body: prepared.md5Body,
    md5Attributes: prepared.md5Attributes,
    traceHeader: prepared.traceHeader,
    senderId: SENDER_ID,
    sentAt: now,
    visibleAt: now + prepared.delayMs,
    groupId: prepared.groupId,
    dedupId: prepared.dedupId,
  });
  if (prepared.dedupKey !== undefined) ctx.store.putDedup(queueName, prepared.dedupKey, prepared.id, seq, now + DEDUPLICATION_WINDOW_MS);
  ctx.store.afterCommit(() => ctx.waiters.wake(queueName, 1));
  return sendResult(prepared, prepared.id, seq, queue.fifo);
}

function sendResult(prepared: PreparedSend, id: string, seq: number, fifo: boolean): SendResult {
  const result: SendResult = { MessageId: id, MD5OfMessageBody: prepared.md5Body };
  if (prepared.md5Attributes !== undefined) result.MD5OfMessageAttributes = prepared.md5Attributes;
  if (prepared.md5System !== undefined) result.MD5OfMessageSystemAttributes = prepared.md5System;
  if (fifo) result.SequenceNumber = sequenceNumberOf(seq);
  return result;
}

/** Sends one message durably: resolves once it is committed. */
export async function sendMessage(ctx: SqsContext, queue: Queue, request: SendRequest): Promise<SendResult> {
  const prepared = prepareSend(queue, request);
  return ctx.store.write(() => commitSend(ctx, queue.name, prepared));
}

// --- Receiving ---

export interface Delivered {
  row: MessageRow;
  receiptHandle: string;
  /** After this receive. */
  receiveCount: number;
  firstReceiveAt: number;
}

export interface ReceiveOptions {
  max: number;
  /** Seconds; the queue's VisibilityTimeout when undefined. */
  visibilityTimeout?: number | undefined;
  /** Seconds; the queue's ReceiveMessageWaitTimeSeconds when undefined. */
  waitSeconds?: number | undefined;
}

/**
 * Receives up to `max` messages, waiting up to the wait time for the first one (long polling).
 * Resolves with an empty list when the wait ends, the queue goes away or `signal` aborts.
 */
export async function receiveMessages(ctx: SqsContext, queue: Queue, options: ReceiveOptions, signal?: AbortSignal): Promise<Delivered[]> {
  const waitSeconds = options.waitSeconds ?? queue.settings.receiveMessageWaitTimeSeconds;
  const deadline = ctx.now() + waitSeconds * 1000;
  for (;;) {
    const delivered = await ctx.store.write(() => receiveNow(ctx, queue.name, options.max, options.visibilityTimeout), false);
    const now = ctx.now();
    if (delivered.length > 0 || now >= deadline || signal?.aborted === true) return delivered;
    if (!ctx.store.queues.has(queue.name)) return delivered;
    const next = ctx.store.nextVisibleAt(queue.name, now);
    await ctx.waiters.wait(queue.name, Math.min(deadline, next ?? deadline), now, signal);
    // Shutting down: waiting receivers are released empty-handed.
    if (ctx.store.closed) return [];
  }
}

/** Inside a write: takes the visible messages now, marking them in flight. */
export function receiveNow(ctx: SqsContext, queueName: string, max: number, visibilityTimeout: number | undefined): Delivered[] {
  const queue = ctx.store.queues.get(queueName);
  if (queue === undefined) throw queueDoesNotExist();
  const now = ctx.now();
  const visibleAt = now + (visibilityTimeout ?? queue.settings.visibilityTimeout) * 1000;
  const retentionStart = now - queue.settings.messageRetentionPeriod * 1000;
  const redrive = queue.settings.redrive;
  const delivered: Delivered[] = [];

  /** False when the row is not deliverable (expired and deleted, or moved to the dead-letter queue). */
  const usable = (row: MessageRow): boolean => {
    if (row.sent_at < retentionStart) {
      ctx.store.removeMessage(row.seq);
      return false;
    }
    if (redrive !== undefined && row.receive_count >= redrive.maxReceiveCount && moveToDeadLetterQueue(ctx, queue, row, now)) return false;
    return true;
  };
  const deliver = (row: MessageRow): void => {
    const nonce = randomUUID();
    ctx.store.markReceived(row.seq, visibleAt, now, nonce);
    delivered.push({
      row,
      receiptHandle: encodeReceipt(queueName, row.seq, nonce),
      receiveCount: row.receive_count + 1,
      firstReceiveAt: row.first_receive_at ?? now,
    });
  };

  if (!queue.fifo) {
    // Another pass only when expired or redriven rows made room; `seen` guards against rows
    // delivered with a visibility timeout of 0, which stay visible.
    const seen = new Set<number>();
    let skipped: number;
    do {
      skipped = 0;
      for (const row of ctx.store.visibleMessages(queueName, now, max - delivered.length)) {
        if (seen.has(row.seq)) continue;
        seen.add(row.seq);
        if (usable(row)) deliver(row);
        else skipped++;
      }
    } while (skipped > 0 && delivered.length < max);
    return delivered;
  }

  // FIFO: a group whose oldest message is in flight or delayed is blocked; from the others, as
  // many messages of one group as possible, in order ("FIFO queue delivery logic").
  const blocked = new Set<string>();
  const byGroup = new Map<string, MessageRow[]>();
  let candidates = 0;
  let scanned = 0;
  let after = 0;
  scan: for (;;) {
    const rows = ctx.store.queueMessages(queueName, after, 256);
    if (rows.length === 0) break;
    for (const row of rows) {
      after = row.seq;
      // Enough once one group fills the batch, or (bounded work) once the batch can be filled at all.
      if (candidates >= max && ++scanned > FIFO_SCAN_LIMIT) break scan;
      const group = row.group_id ?? '';
      if (blocked.has(group)) continue;
      if (row.visible_at > now) {
        blocked.add(group);
        continue;
      }
      if (!usable(row)) continue;
      let list = byGroup.get(group);
      if (list === undefined) {
        list = [];
        byGroup.set(group, list);
      }
      list.push(row);
      candidates++;
      if (list.length >= max) break scan;
    }
  }
  for (const rows of byGroup.values()) {
    for (const row of rows) {
      if (delivered.length >= max) return delivered;
      deliver(row);
    }
  }
  return delivered;
}

/** Moves a message to its queue's dead-letter queue; false when that queue does not exist (the message stays). */
function moveToDeadLetterQueue(ctx: SqsContext, source: Queue, row: MessageRow, now: number): boolean {
  const target = ctx.store.queues.get(queueNameOf(source.settings.redrive!.deadLetterTargetArn));
  if (target === undefined) return false;
  ctx.store.removeMessage(row.seq);
  ctx.store.insertMessage(target.name, {
    id: row.id,
    body: row.body,
    attributes: row.attributes === null ? undefined : (JSON.parse(row.attributes) as MessageAttributes),
    md5Body: row.md5_body,
    md5Attributes: row.md5_attributes ?? undefined,
    traceHeader: row.trace_header ?? undefined,
    senderId: row.sender_id,
    // Retention keeps counting from the original enqueue time (standard queues).
    sentAt: target.fifo ? now : row.sent_at,
    visibleAt: now,
    receiveCount: row.receive_count,
    firstReceiveAt: row.first_receive_at,
    groupId: row.group_id ?? undefined,
    dedupId: row.dedup_id ?? undefined,
    dlqSource: arnOf(ctx, source.name),
  });
  ctx.store.afterCommit(() => ctx.waiters.wake(target.name, 1));
  return true;
}

// --- Receipt handles ---

export interface Receipt {
  queue: string;
  seq: number;
  nonce: string;
}

/** Opaque to clients; names the queue, the message and this particular receive. */
export function encodeReceipt(queue: string, seq: number, nonce: string): string {
  return Buffer.from(`${queue}\n${seq}\n${nonce}`, 'utf8').toString('base64');
}

export function decodeReceipt(queue: Queue, handle: string): Receipt {
  const parts = Buffer.from(handle, 'base64').toString('utf8').split('\n');
  const seq = Number(parts[1]);
  if (parts.length !== 3 || parts[0] !== queue.name || !Number.isSafeInteger(seq) || parts[2] === '') throw receiptHandleInvalid(handle);
  return { queue: parts[0]!, seq, nonce: parts[2]! };
}

/** Deletes by the latest receipt handle; an older handle is accepted and deletes nothing (AWS's behaviour). */
export function deleteNow(ctx: SqsContext, queue: Queue, handle: string): void {
  const receipt = decodeReceipt(queue, handle);
  if (!ctx.store.queues.has(queue.name)) throw queueDoesNotExist();
  ctx.store.deleteMessage(queue.name, receipt.seq, receipt.nonce);
}

export function changeVisibilityNow(ctx: SqsContext, queue: Queue, handle: string, seconds: number): void {
  const receipt = decodeReceipt(queue, handle);
  if (!ctx.store.queues.has(queue.name)) throw queueDoesNotExist();
  const now = ctx.now();
  if (!ctx.store.changeVisibility(queue.name, receipt.seq, receipt.nonce, now + seconds * 1000, now)) {
    throw invalidParameter('ReceiptHandle', handle, 'Message does not exist or is not available for visibility timeout change.');
  }
  if (seconds === 0) ctx.store.afterCommit(() => ctx.waiters.wake(queue.name, 1));
}
