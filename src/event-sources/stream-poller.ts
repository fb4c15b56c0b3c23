/**
 * Kinesis and DynamoDB Streams -> Lambda: one loop per shard reads records in order from a durable
 * checkpoint, woken when the service commits new records (no busy polling), gathers a batch (up to
 * BatchSize, within MaximumBatchingWindowInSeconds), and invokes the function. Success moves the
 * checkpoint past the batch; a failure retries the same records, in order, with backoff, until
 * MaximumRetryAttempts or MaximumRecordAgeInSeconds (then the batch is skipped and recorded at the
 * OnFailure destination); BisectBatchOnFunctionError halves a failing batch; a partial batch
 * response checkpoints before the lowest failed sequence number and retries from there.
 * AWS docs: Lambda developer guide "Using Lambda with Kinesis Data Streams" (polling and batching,
 * "Error handling", "Configuring partial batch response"), "Using AWS Lambda with Amazon DynamoDB"
 * (the same behaviour), "Retaining records of asynchronous invocations / discarded batches".
 */
import { randomUUID } from 'node:crypto';
import { backoffMs, invokeBatch, pause, type BatchDeps } from './batch.js';
import type { EventSourceMapping } from './mapping.js';
import { passesFilters, type EventRecord } from './records.js';

/** One record as a shard source hands it over. */
export interface ShardRecord {
  record: EventRecord;
  /** The item identifier of partial batch responses. */
  sequenceNumber: string;
  /** Epoch milliseconds. */
  arrivalMs: number;
}

/** Read access to one stream, positions being opaque durable strings. */
export interface ShardSource {
  shards(): string[];
  /** The position the mapping's StartingPosition names in `shard`. */
  start(shard: string): string;
  /** Up to `limit` records from `position`, and the position after the last of them. */
  read(shard: string, position: string, limit: number): { records: ShardRecord[]; next: string };
  /** The position just after the record with `sequenceNumber`. */
  after(shard: string, sequenceNumber: string): string;
  /** Calls `listener` with the shards that got records (after they are durable); returns the unsubscribe. */
  onAppend(listener: (shards: readonly string[]) => void): () => void;
}

export interface Checkpoints {
  get(uuid: string, shard: string): string | undefined;
  set(uuid: string, shard: string, position: string): void;
}

export interface StreamPollerDeps extends BatchDeps {
  checkpoints: Checkpoints;
  /** Records a discarded batch at the OnFailure destination (an SQS queue or SNS topic). */
  discard(destination: string, record: Record<string, unknown>): Promise<void>;
}

export class StreamPoller {
  readonly #mapping: EventSourceMapping;
  readonly #source: ShardSource;
  readonly #deps: StreamPollerDeps;
  readonly #abort = new AbortController();
  /** Wakes the shard loop waiting for records. */
  readonly #wakers = new Map<string, () => void>();
  #loops: Promise<void>[] = [];
  #unsubscribe: () => void = () => {};

  constructor(mapping: EventSourceMapping, source: ShardSource, deps: StreamPollerDeps) {
    this.#mapping = mapping;
    this.#source = source;
    this.#deps = deps;
  }

  start(): void {
    this.#unsubscribe = this.#source.onAppend((shards) => {
      for (const shard of shards) this.#wakers.get(shard)?.();
    });
    this.#loops = this.#source.shards().map((shard) => this.#loop(shard));
  }

  async stop(): Promise<void> {
    this.#abort.abort();
    this.#unsubscribe();
    for (const wake of this.#wakers.values()) wake();
    await Promise.all(this.#loops);
  }

  /** Resolves when records arrive in `shard`, after `ms` at the latest, or on stop. */
  #waitForRecords(shard: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(wake, ms);
      function wake(): void {
        clearTimeout(timer);
        resolve();
      }
      this.#wakers.set(shard, () => {
        this.#wakers.delete(shard);
        wake();
      });
    });
  }

  async #loop(shard: string): Promise<void> {
    const signal = this.#abort.signal;
    const { checkpoints } = this.#deps;
    const mapping = this.#mapping;
    let position = checkpoints.get(mapping.uuid, shard);
    let limit = mapping.batchSize;
    let attempts = 0;
    while (!signal.aborted) {
      try {
        // The starting position is stored at once: LATEST means "from when the mapping started", across restarts.
        position ??= this.#checkpoint(shard, this.#source.start(shard));
        let { records, next } = this.#source.read(shard, position, limit);
        if (records.length === 0) {
          // Idle: sleep until a commit names this shard (the long timeout only bounds a missed wake-up).
          await this.#waitForRecords(shard, 60_000);
          continue;
        }
        if (records.length < limit && mapping.maximumBatchingWindowInSeconds > 0) {
          const closesAt = records[0]!.arrivalMs + mapping.maximumBatchingWindowInSeconds * 1000;
          while (records.length < limit && Date.now() < closesAt && !signal.aborted) {
            await this.#waitForRecords(shard, closesAt - Date.now());
            ({ records, next } = this.#source.read(shard, position!, limit));
          }
        }
        if (signal.aborted) return;
        const selected = records.filter((r) => passesFilters(mapping.filters, r.record));
        const outcome = selected.length === 0 ? ({ kind: 'success' } as const) : await invokeBatch(this.#deps, mapping, selected.map((r) => r.record), selected.map((r) => r.sequenceNumber));
        if (signal.aborted) return;
        if (outcome.kind === 'success') {
          position = this.#checkpoint(shard, next);
          limit = mapping.batchSize;
          attempts = 0;
          continue;
        }
        if (outcome.kind === 'partial') {
          // Checkpoint before the first failed record; the retry starts there.
          const first = selected.find((r) => outcome.failed.has(r.sequenceNumber))!;
          const index = records.indexOf(first);
          if (index > 0) position = this.#checkpoint(shard, this.#source.after(shard, records[index - 1]!.sequenceNumber));
        }
        attempts++;
        const oldest = records[0]!.arrivalMs;
        const tooOld = mapping.maximumRecordAgeInSeconds !== -1 && Date.now() - oldest > mapping.maximumRecordAgeInSeconds * 1000;
        const exhausted = mapping.maximumRetryAttempts !== -1 && attempts > mapping.maximumRetryAttempts;
        if (outcome.kind === 'failure' && mapping.bisectBatchOnFunctionError && limit > 1 && records.length > 1) {
          // Halving does not count as a retry.
          limit = Math.ceil(records.length / 2);
          attempts--;
          continue;
        }
        if (tooOld || exhausted) {
          const failed = outcome.kind === 'partial' ? records.slice(records.findIndex((r) => outcome.failed.has(r.sequenceNumber))) : records;
          await this.#discard(shard, failed, attempts, tooOld ? 'RecordAgeExceeded' : 'RetryAttemptsExhausted');
          position = this.#checkpoint(shard, next);
          limit = mapping.batchSize;
          attempts = 0;
          continue;
        }
        await pause(backoffMs(attempts), signal);
      } catch (error) {
        if (signal.aborted) return;
        this.#deps.log.warn(`event source ${mapping.uuid} (${mapping.eventSourceArn}) ${shard}: ${(error as Error).message}`);
        await pause(backoffMs(++attempts), signal);
      }
    }
  }

  #checkpoint(shard: string, position: string): string {
    this.#deps.checkpoints.set(this.#mapping.uuid, shard, position);
    return position;
  }

  /** The invocation record of a discarded batch ("Adding a destination": stream batch info, no records). */
  async #discard(shard: string, records: ShardRecord[], attempts: number, condition: string): Promise<void> {
    const mapping = this.#mapping;
    const first = records[0]!;
    const last = records[records.length - 1]!;
    this.#deps.log.warn(`event source ${mapping.uuid}: ${condition}; ${records.length} record(s) of ${shard} skipped`);
    if (mapping.onFailureDestination === undefined) return;
    const info = {
      shardId: shard,
      startSequenceNumber: first.sequenceNumber,
      endSequenceNumber: last.sequenceNumber,
      approximateArrivalOfFirstRecord: new Date(first.arrivalMs).toISOString(),
      approximateArrivalOfLastRecord: new Date(last.arrivalMs).toISOString(),
      batchSize: records.length,
      streamArn: mapping.eventSourceArn,
    };
    const record = {
      requestContext: { requestId: randomUUID(), functionArn: mapping.functionArn, condition, approximateInvokeCount: attempts },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      version: '1.0',
      timestamp: new Date().toISOString(),
      [mapping.kind === 'kinesis' ? 'KinesisBatchInfo' : 'DDBStreamBatchInfo']: info,
    };
    try {
      await this.#deps.discard(mapping.onFailureDestination, record);
    } catch (error) {
      this.#deps.log.warn(`event source ${mapping.uuid}: could not record the discarded batch at ${mapping.onFailureDestination}: ${(error as Error).message}`);
    }
  }
}
