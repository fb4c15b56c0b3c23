/** What every SNS operation works with: the store, the delivery targets, names and the clock. */
import type { Logger } from '../../core/log.js';
import type { SqsQueues } from '../sqs/index.js';
import type { SnsStore } from './store.js';

/** The Lambda runtime as SNS uses it (`LambdaRuntime.invoke`). */
export interface LambdaInvoker {
  invoke(nameOrArn: string, payload: string, opts?: { invocationType?: 'RequestResponse' | 'Event' }): Promise<unknown>;
}

export interface SnsDeps {
  /** Function subscriptions are invoked through it (InvocationType Event); `ServiceContext.lambda` when not given. */
  lambda?: LambdaInvoker | undefined;
  /** SQS subscriptions deliver into it; the running embedded SQS when not given. */
  sqs?: SqsQueues;
  /** Waits between HTTP/S delivery attempts; AWS's default policy is 3 retries 20 seconds apart. */
  httpRetryDelaysMs?: readonly number[];
}

export interface SnsContext {
  store: SnsStore;
  deps: SnsDeps;
  region: string;
  accountId: string;
  /** Base URL of the embedded endpoint (SubscribeURL, UnsubscribeURL, SigningCertURL). */
  endpoint: string;
  log: Logger;
  now(): number;
  /** FIFO topic deduplication (5 minutes): topic + deduplication id -> first answer. */
  fifoDedup: Map<string, { messageId: string; sequenceNumber: string; expiresAt: number }>;
  /** Last FIFO sequence number handed out. */
  sequence: bigint;
  /** Aborted at close: stops HTTP deliveries and their retries. */
  shutdown: AbortController;
}
