/**
 * SQS for the rest of gatehouse (SNS deliveries, event source mappings, Step Functions tasks):
 * send, receive, delete and change visibility without HTTP, with the same semantics and
 * durability as the API. Queues are named by URL, ARN or name.
 * AWS docs: Amazon SQS API Reference (SendMessage, ReceiveMessage, DeleteMessage,
 * ChangeMessageVisibility); Lambda Developer Guide "Using Lambda with Amazon SQS" (the fields an
 * SQS event record needs).
 */
import type { SqsContext } from './context.js';
import { queueDoesNotExist } from './errors.js';
import { queueNameOf, type MessageAttributes } from './model.js';
import { changeVisibilityNow, deleteNow, receiveMessages, sendMessage, type SendRequest, type SendResult } from './operations/messages.js';
import { formatMessage } from './operations/index.js';
import { arnOf, urlOf } from './operations/queues.js';

export type { SendRequest, SendResult } from './operations/messages.js';

export interface QueueInfo {
  name: string;
  url: string;
  arn: string;
  fifo: boolean;
}

/** A received message with every system attribute and message attribute. */
export interface ReceivedMessage {
  messageId: string;
  receiptHandle: string;
  body: string;
  /** System attributes: ApproximateReceiveCount, SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp, FIFO ones. */
  attributes: Record<string, string>;
  messageAttributes: MessageAttributes;
  md5OfBody: string;
  md5OfMessageAttributes: string | undefined;
  eventSourceARN: string;
}

export interface ReceiveOptions {
  /** Long polling, 0..20 seconds (default 0). */
  waitSeconds?: number;
  signal?: AbortSignal;
}

export interface SqsQueues {
  /** The queue a URL, ARN or name refers to, if it exists. */
  resolve(ref: string): QueueInfo | undefined;
  /** Sends durably (resolves once committed). Throws SqsError as SendMessage would answer. */
  send(ref: string, message: SendRequest): Promise<SendResult>;
  /** Receives up to `max` (1..10) messages, making them invisible for `visibilityTimeout` seconds (the queue's default when undefined). */
  receive(ref: string, max: number, visibilityTimeout?: number, options?: ReceiveOptions): Promise<ReceivedMessage[]>;
  deleteMessage(ref: string, receiptHandle: string): Promise<void>;
  changeVisibility(ref: string, receiptHandle: string, seconds: number): Promise<void>;
}

export function createSqsQueues(ctx: SqsContext): SqsQueues {
  const queueOf = (ref: string) => {
    const queue = ctx.store.queues.get(queueNameOf(ref));
    if (queue === undefined) throw queueDoesNotExist();
    return queue;
  };
  const all = () => true;
  return {
    resolve(ref) {
      const queue = ctx.store.queues.get(queueNameOf(ref));
      return queue === undefined ? undefined : { name: queue.name, url: urlOf(ctx, queue.name), arn: arnOf(ctx, queue.name), fifo: queue.fifo };
    },
    send: (ref, message) => sendMessage(ctx, queueOf(ref), message),
    async receive(ref, max, visibilityTimeout, options = {}) {
      const queue = queueOf(ref);
      const delivered = await receiveMessages(
        ctx,
        queue,
        { max: Math.min(10, Math.max(1, max)), visibilityTimeout, waitSeconds: options.waitSeconds ?? 0 },
        options.signal,
      );
      const arn = arnOf(ctx, queue.name);
      return delivered.map((d) => {
        const m = formatMessage(queue, d, all, all);
        return {
          messageId: m['MessageId'] as string,
          receiptHandle: m['ReceiptHandle'] as string,
          body: m['Body'] as string,
          attributes: (m['Attributes'] as Record<string, string> | undefined) ?? {},
          messageAttributes: (m['MessageAttributes'] as MessageAttributes | undefined) ?? {},
          md5OfBody: m['MD5OfBody'] as string,
          md5OfMessageAttributes: m['MD5OfMessageAttributes'] as string | undefined,
          eventSourceARN: arn,
        };
      });
    },
    async deleteMessage(ref, receiptHandle) {
      const queue = queueOf(ref);
      await ctx.store.write(() => deleteNow(ctx, queue, receiptHandle), false);
    },
    async changeVisibility(ref, receiptHandle, seconds) {
      const queue = queueOf(ref);
      await ctx.store.write(() => changeVisibilityNow(ctx, queue, receiptHandle, seconds), false);
    },
  };
}
