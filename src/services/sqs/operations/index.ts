/**
 * The SQS operation table: each operation takes input in the JSON protocol's shape and returns
 * output in that shape; both protocol adapters (JSON 1.0 and query) call the same functions.
 * AWS docs: Amazon SQS API Reference, "Actions".
 */
import { SqsError, missingParameter } from '../errors.js';
import type { SqsContext } from '../context.js';
import { md5OfAttributes } from '../md5.js';
import { MAX_BATCH_ENTRIES, MESSAGE_SYSTEM_ATTRIBUTES, type MessageAttributes, type Queue } from '../model.js';
import { sequenceNumberOf } from '../store.js';
import {
  changeVisibilityNow,
  commitSend,
  deleteNow,
  prepareSend,
  receiveMessages,
  sendMessage,
  type Delivered,
  type SendRequest,
} from './messages.js';
import { optInt, optObjectList, optString, optStringList, reqString, requireQueue, type Input } from './input.js';
import {
  createQueue,
  deleteQueue,
  getQueueAttributes,
  getQueueUrl,
  listDeadLetterSourceQueues,
  listQueueTags,
  listQueues,
  permission,
  purgeQueue,
  setQueueAttributes,
  tagQueue,
  untagQueue,
  type Output,
} from './queues.js';

/** `abortSignal` makes, on demand, a signal that aborts when the client goes away (long polls use it). */
export type Operation = (ctx: SqsContext, input: Input, abortSignal: (() => AbortSignal) | undefined) => Output | Promise<Output>;

export const OPERATIONS: Readonly<Record<string, Operation>> = {
  CreateQueue: createQueue,
  GetQueueUrl: getQueueUrl,
  ListQueues: listQueues,
  DeleteQueue: deleteQueue,
  GetQueueAttributes: getQueueAttributes,
  SetQueueAttributes: setQueueAttributes,
  PurgeQueue: purgeQueue,
  TagQueue: tagQueue,
  UntagQueue: untagQueue,
  ListQueueTags: listQueueTags,
  ListDeadLetterSourceQueues: listDeadLetterSourceQueues,
  AddPermission: permission,
  RemovePermission: permission,
  SendMessage: sendMessageOperation,
  SendMessageBatch: sendMessageBatch,
  ReceiveMessage: receiveMessage,
  DeleteMessage: deleteMessage,
  DeleteMessageBatch: deleteMessageBatch,
  ChangeMessageVisibility: changeMessageVisibility,
  ChangeMessageVisibilityBatch: changeMessageVisibilityBatch,
};

function sendRequestOf(input: Input): SendRequest {
  return {
    body: optString(input, 'MessageBody') ?? '',
    delaySeconds: optInt(input, 'DelaySeconds', 0, 900, 'DelaySeconds must be >= 0 and <= 900.'),
    attributes: attributeMap(input, 'MessageAttributes'),
    systemAttributes: attributeMap(input, 'MessageSystemAttributes'),
    groupId: optString(input, 'MessageGroupId'),
    dedupId: optString(input, 'MessageDeduplicationId'),
  };
}

function attributeMap(input: Input, name: string): MessageAttributes | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw new SqsError('InvalidParameterValue', `The parameter ${name} must be a map.`);
  return value as MessageAttributes;
}

async function sendMessageOperation(ctx: SqsContext, input: Input): Promise<Output> {
  const queue = requireQueue(ctx, input);
  return { ...(await sendMessage(ctx, queue, sendRequestOf(input))) };
}

interface BatchFailure {
  Id: string;
  SenderFault: boolean;
  Code: string;
  Message: string;
}

function failure(id: string, error: unknown): BatchFailure {
  if (!(error instanceof SqsError)) throw error;
  return { Id: id, SenderFault: error.fault === 'client', Code: error.queryCode, Message: error.message };
}

/** Batch entries, checked as SQS checks them before looking at any entry. */
function batchEntries(input: Input, entryName: string): (Input & { Id: string })[] {
  const entries = optObjectList(input, 'Entries') ?? [];
  if (entries.length === 0) throw new SqsError('EmptyBatchRequest', `There should be at least one ${entryName} in the request.`);
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new SqsError('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`);
  }
  const ids = new Set<string>();
  for (const entry of entries) {
    const id = entry['Id'];
    if (typeof id !== 'string' || !/^[A-Za-z0-9_-]{1,80}$/.test(id)) {
      throw new SqsError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(id)) throw new SqsError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  return entries as (Input & { Id: string })[];
}

async function sendMessageBatch(ctx: SqsContext, input: Input): Promise<Output> {
  const queue = requireQueue(ctx, input);
  const entries = batchEntries(input, 'SendMessageBatchRequestEntry');
  const failed: BatchFailure[] = [];
  const prepared: { id: string; send: ReturnType<typeof prepareSend> }[] = [];
  let total = 0;
  for (const entry of entries) {
    try {
      const request = sendRequestOf(entry);
      total += Buffer.byteLength(request.body, 'utf8');
      prepared.push({ id: entry.Id, send: prepareSend(queue, request) });
    } catch (error) {
      failed.push(failure(entry.Id, error));
    }
  }
  if (total > queue.settings.maximumMessageSize) {
    throw new SqsError('BatchRequestTooLong', `Batch requests cannot be longer than ${queue.settings.maximumMessageSize} bytes. You have sent ${total} bytes.`);
  }
  const successful = await ctx.store.write(() =>
    prepared.flatMap(({ id, send }) => {
      try {
        return [{ Id: id, ...commitSend(ctx, queue.name, send) }];
      } catch (error) {
        failed.push(failure(id, error));
        return [];
      }
    }),
  );
  return { Successful: successful, Failed: failed };
}

async function receiveMessage(ctx: SqsContext, input: Input, abortSignal: (() => AbortSignal) | undefined): Promise<Output> {
  const queue = requireQueue(ctx, input);
  const max = optInt(input, 'MaxNumberOfMessages', 1, 10) ?? 1;
  const visibilityTimeout = optInt(input, 'VisibilityTimeout', 0, 43200);
  const waitSeconds = optInt(input, 'WaitTimeSeconds', 0, 20, 'Must be >= 0 and <= 20, if provided.');
  const systemNames = [...(optStringList(input, 'AttributeNames') ?? []), ...(optStringList(input, 'MessageSystemAttributeNames') ?? [])];
  const attributeNames = optStringList(input, 'MessageAttributeNames') ?? [];
  optString(input, 'ReceiveRequestAttemptId');
  const waits = (waitSeconds ?? queue.settings.receiveMessageWaitTimeSeconds) > 0;
  const delivered = await receiveMessages(ctx, queue, { max, visibilityTimeout, waitSeconds }, waits ? abortSignal?.() : undefined);
  if (delivered.length === 0) return {};
  const selectSystem = systemAttributeSelector(systemNames);
  const selectAttribute = messageAttributeSelector(attributeNames);
  return { Messages: delivered.map((d) => formatMessage(queue, d, selectSystem, selectAttribute)) };
}

/** `All`, or the listed names (unknown names are ignored, as SQS does). */
function systemAttributeSelector(names: string[]): (name: string) => boolean {
  if (names.includes('All')) return () => true;
  const wanted = new Set(names.filter((name) => MESSAGE_SYSTEM_ATTRIBUTES.has(name)));
  return (name) => wanted.has(name);
}

/** `All` or `.*` for every attribute, `prefix.*` for a prefix, otherwise exact names. */
export function messageAttributeSelector(names: string[]): (name: string) => boolean {
  if (names.length === 0) return () => false;
  if (names.includes('All') || names.includes('.*')) return () => true;
  const exact = new Set(names.filter((name) => !name.endsWith('.*')));
  const prefixes = names.filter((name) => name.endsWith('.*')).map((name) => name.slice(0, -1));
  return (name) => exact.has(name) || prefixes.some((prefix) => name.startsWith(prefix));
}

/** A received message in the JSON protocol's shape, with the attributes asked for. */
export function formatMessage(queue: Queue, d: Delivered, system: (name: string) => boolean, user: (name: string) => boolean): Output {
  const row = d.row;
  const message: Output = { MessageId: row.id, ReceiptHandle: d.receiptHandle, MD5OfBody: row.md5_body, Body: row.body };
  const all: [string, string | null | undefined][] = [
    ['SenderId', row.sender_id],
    ['SentTimestamp', String(row.sent_at)],
    ['ApproximateReceiveCount', String(d.receiveCount)],
    ['ApproximateFirstReceiveTimestamp', String(d.firstReceiveAt)],
    ['SequenceNumber', queue.fifo ? sequenceNumberOf(row.seq) : undefined],
    ['MessageDeduplicationId', row.dedup_id],
    ['MessageGroupId', row.group_id],
    ['AWSTraceHeader', row.trace_header],
    ['DeadLetterQueueSourceArn', row.dlq_source],
  ];
  const attributes: Record<string, string> = {};
  for (const [name, value] of all) if (value !== undefined && value !== null && system(name)) attributes[name] = value;
  if (Object.keys(attributes).length > 0) message['Attributes'] = attributes;
  if (row.attributes !== null) {
    const stored = JSON.parse(row.attributes) as MessageAttributes;
    const selected: MessageAttributes = {};
    for (const [name, value] of Object.entries(stored)) if (user(name)) selected[name] = value;
    if (Object.keys(selected).length > 0) {
      // The digest covers the attributes returned (what a client can check).
      message['MD5OfMessageAttributes'] = Object.keys(selected).length === Object.keys(stored).length ? row.md5_attributes : md5OfAttributes(selected);
      message['MessageAttributes'] = selected;
    }
  }
  return message;
}

async function deleteMessage(ctx: SqsContext, input: Input): Promise<Output> {
  const queue = requireQueue(ctx, input);
  const handle = reqString(input, 'ReceiptHandle');
  await ctx.store.write(() => deleteNow(ctx, queue, handle), false);
  return {};
}

async function deleteMessageBatch(ctx: SqsContext, input: Input): Promise<Output> {
  const queue = requireQueue(ctx, input);
  const entries = batchEntries(input, 'DeleteMessageBatchRequestEntry');
  const failed: BatchFailure[] = [];
  const successful = await ctx.store.write(() =>
    entries.flatMap((entry) => {
      try {
        deleteNow(ctx, queue, reqString(entry, 'ReceiptHandle'));
        return [{ Id: entry.Id }];
      } catch (error) {
        failed.push(failure(entry.Id, error));
        return [];
      }
    }),
    false,
  );
  return { Successful: successful, Failed: failed };
}

function visibilityOf(input: Input): number {
  const seconds = optInt(input, 'VisibilityTimeout', 0, 43200);
  if (seconds === undefined) throw missingParameter('VisibilityTimeout');
  return seconds;
}

async function changeMessageVisibility(ctx: SqsContext, input: Input): Promise<Output> {
  const queue = requireQueue(ctx, input);
  const handle = reqString(input, 'ReceiptHandle');
  const seconds = visibilityOf(input);
  await ctx.store.write(() => changeVisibilityNow(ctx, queue, handle, seconds), false);
  return {};
}

async function changeMessageVisibilityBatch(ctx: SqsContext, input: Input): Promise<Output> {
  const queue = requireQueue(ctx, input);
  const entries = batchEntries(input, 'ChangeMessageVisibilityBatchRequestEntry');
  const failed: BatchFailure[] = [];
  const successful = await ctx.store.write(() =>
    entries.flatMap((entry) => {
      try {
        changeVisibilityNow(ctx, queue, reqString(entry, 'ReceiptHandle'), visibilityOf(entry));
        return [{ Id: entry.Id }];
      } catch (error) {
        failed.push(failure(entry.Id, error));
        return [];
      }
    }),
    false,
  );
  return { Successful: successful, Failed: failed };
}
