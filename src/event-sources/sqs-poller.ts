/**
 * SQS -> Lambda: concurrent long-polling loops read the queue in-process (woken by sends, no busy
 * polling), gather a batch (up to BatchSize, within MaximumBatchingWindowInSeconds, under 6 MB),
 * and invoke the function. Success deletes the batch; a failure leaves every message to reappear
 * after the queue's visibility timeout (and to go to its dead-letter queue after maxReceiveCount,
 * which the queue does itself); a partial batch response deletes all but the failed ones.
 * Messages no filter matches are deleted without an invocation.
 * AWS docs: Lambda developer guide "Using Lambda with Amazon SQS" (polling and batching behavior,
 * "Lambda begins with five concurrent batches"), "Handling errors for an SQS event source",
 * "Control which events Lambda sends to your function" (filtered-out SQS messages are deleted).
 */
import type { SqsQueues, ReceivedMessage } from '../services/sqs/index.js';
import { backoffMs, invokeBatch, pause, type BatchDeps } from './batch.js';
import type { EventSourceMapping } from './mapping.js';
import { passesFilters, sqsRecord, type EventRecord } from './records.js';

/** Concurrent batches when ScalingConfig does not say ("Lambda begins with five concurrent batches"). */
const DEFAULT_CONCURRENCY = 5;
/** Invocation payload limit for synchronous invokes, 6 MB; the batch stops growing before it. */
const MAX_BATCH_BYTES = 6 * 1024 * 1024 - 64 * 1024;
/** Longest SQS long poll. */
const LONG_POLL_SECONDS = 20;

export interface SqsPollerDeps extends BatchDeps {
  queues: SqsQueues;
  region: string;
}

export class SqsPoller {
  readonly #mapping: EventSourceMapping;
  readonly #deps: SqsPollerDeps;
  readonly #abort = new AbortController();
  #loops: Promise<void>[] = [];

  constructor(mapping: EventSourceMapping, deps: SqsPollerDeps) {
    this.#mapping = mapping;
    this.#deps = deps;
  }

  start(): void {
    const concurrency = this.#mapping.maximumConcurrency ?? DEFAULT_CONCURRENCY;
    this.#loops = Array.from({ length: concurrency }, () => this.#loop());
  }

  /** Stops polling; resolves once every loop has returned (a running invocation is not waited for by the store). */
  async stop(): Promise<void> {
    this.#abort.abort();
    await Promise.all(this.#loops);
  }

  async #loop(): Promise<void> {
    const signal = this.#abort.signal;
    let failures = 0;
    while (!signal.aborted) {
      try {
        const ok = await this.#once(signal);
        failures = ok ? 0 : failures + 1;
      } catch (error) {
        if (signal.aborted) return;
        failures++;
        this.#deps.log.warn(`event source ${this.#mapping.uuid} (${this.#mapping.eventSourceArn}): ${(error as Error).message}`);
      }
      if (failures > 0) await pause(backoffMs(failures), signal);
    }
  }

  /** One batch; false when the function failed on it. */
  async #once(signal: AbortSignal): Promise<boolean> {
    const messages = await this.#gather(signal);
    if (signal.aborted || messages.length === 0) return true;
    const { queues, region } = this.#deps;
    const arn = this.#mapping.eventSourceArn;
    const records: EventRecord[] = [];
    const selected: ReceivedMessage[] = [];
    const dropped: ReceivedMessage[] = [];
    for (const message of messages) {
      const record = sqsRecord(message, region);
      if (passesFilters(this.#mapping.filters, record)) {
        records.push(record);
        selected.push(message);
      } else {
        dropped.push(message);
      }
    }
    const deletes = dropped.map((m) => queues.deleteMessage(arn, m.receiptHandle));
    if (records.length === 0) {
      await Promise.all(deletes);
      return true;
    }
    const outcome = await invokeBatch(this.#deps, this.#mapping, records, selected.map((m) => m.messageId));
    if (signal.aborted && outcome.kind === 'failure') return false;
    if (outcome.kind === 'success') deletes.push(...selected.map((m) => queues.deleteMessage(arn, m.receiptHandle)));
    if (outcome.kind === 'partial') {
      for (const m of selected) if (!outcome.failed.has(m.messageId)) deletes.push(queues.deleteMessage(arn, m.receiptHandle));
    }
    await Promise.all(deletes);
    return outcome.kind !== 'failure';
  }

  /** Long-polls for the first messages, then keeps receiving while the batching window is open. */
  async #gather(signal: AbortSignal): Promise<ReceivedMessage[]> {
    const { queues } = this.#deps;
    const { eventSourceArn: arn, batchSize, maximumBatchingWindowInSeconds: window } = this.#mapping;
    const batch = await queues.receive(arn, Math.min(10, batchSize), undefined, { waitSeconds: LONG_POLL_SECONDS, signal });
    if (batch.length === 0 || window === 0) return batch;
    const closesAt = Date.now() + window * 1000;
    let bytes = batch.reduce((n, m) => n + Buffer.byteLength(m.body), 0);
    while (batch.length < batchSize && bytes < MAX_BATCH_BYTES && !signal.aborted) {
      const left = closesAt - Date.now();
      if (left <= 0) break;
      const more = await queues.receive(arn, Math.min(10, batchSize - batch.length), undefined, { waitSeconds: left / 1000, signal });
      batch.push(...more);
      bytes += more.reduce((n, m) => n + Buffer.byteLength(m.body), 0);
    }
    return batch;
  }
}
