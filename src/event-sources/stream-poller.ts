/**
 * Kinesis and DynamoDB Streams -> Lambda: one loop per shard reads records in order from a durable
 * checkpoint, woken when the service commits new records (no busy polling), gathers a batch (up to
 * BatchSize, within MaximumBatchingWindowInSeconds), and invokes the function. Success moves the
 * checkpoint past the batch; a failure retries the same records, in order, with backoff, until
 * MaximumRetryAttempts or MaximumRecordAgeInSeconds (then the batch is skipped and recorded at the
 * OnFailure destination); BisectBatchOnFunctionError halves a failing batch; a partial batch
 * response retries from the lowest failed sequence number. The checkpoint moves past a chunk of
 * records once all of it is processed or discarded. With TumblingWindowInSeconds the batches carry
 * the window's state (tumbling-window.ts).
 * After a reshard a child shard is read only once its parents are read to their end, so records of
 * one partition key reach the function in order across the split or merge. ParallelizationFactor
 * runs up to ten batches of a shard at once, records of one key in the same lane, in order.
 * AWS docs: Lambda developer guide "Using Lambda with Kinesis Data Streams" (polling and batching,
 * "Error handling", "Configuring partial batch response", "Concurrent batches per shard"
 * (ParallelizationFactor); "Lambda processes ... parent shards before
 * child shards" under "Polling and batching streams"), "Using AWS Lambda with Amazon DynamoDB"
 * (the same behaviour), "Retaining records of asynchronous invocations / discarded batches".
 */
import { createHash, randomUUID } from 'node:crypto';
import { backoffMs, invokeBatch, pause, type BatchDeps, type Outcome } from './batch.js';
import type { EventSourceMapping } from './mapping.js';
import { passesFilters, type EventRecord } from './records.js';
import { MAX_STATE_BYTES, stateOf, TumblingWindows, type OpenWindow } from './tumbling-window.js';

/** One record as a shard source hands it over. */
export interface ShardRecord {
  record: EventRecord;
  /** The item identifier of partial batch responses. */
  sequenceNumber: string;
  /** Epoch milliseconds. */
  arrivalMs: number;
  /** Records with the same key stay in order when batches of a shard run in parallel (Kinesis: the partition key). */
  key: string;
}

/** A shard and its lineage. */
export interface ShardEntry {
  id: string;
  /** The shards it was split or merged from. */
  parents: readonly string[];
  closed: boolean;
}

/** Read access to one stream, positions being opaque durable strings. */
export interface ShardSource {
  shards(): ShardEntry[];
  /** The position the mapping's StartingPosition names in `shard`; `afterParents` when its parents were read to their end. */
  start(shard: string, afterParents: boolean): string;
  /** Up to `limit` records from `position`, the position after the last of them, and whether the (closed) shard ends there. */
  read(shard: string, position: string, limit: number): { records: ShardRecord[]; next: string; ended: boolean };
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

/**
 * Records split into `factor` lanes by the hash of their key, each keeping its records' order:
 * "Lambda ... ensures in-order processing at the partition-key level" with a ParallelizationFactor.
 */
function lanes(records: ShardRecord[], factor: number): ShardRecord[][] {
  if (factor === 1) return [records];
  const byLane: ShardRecord[][] = Array.from({ length: factor }, () => []);
  for (const record of records) byLane[createHash('md5').update(record.key).digest().readUInt32BE(0) % factor]!.push(record);
  return byLane.filter((lane) => lane.length > 0);
}

function parseResponse(payload: Buffer | undefined): unknown {
  try {
    return payload === undefined || payload.length === 0 ? null : JSON.parse(payload.toString('utf8'));
  } catch {
    return null;
  }
}

/** The checkpoint of a shard read to its end. */
const SHARD_END = 'SHARD_END';

export class StreamPoller {
  readonly #mapping: EventSourceMapping;
  readonly #source: ShardSource;
  readonly #deps: StreamPollerDeps;
  /** TumblingWindowInSeconds > 0: batches of one window at a time, state passed along. */
  readonly #windows: TumblingWindows | undefined;
  readonly #abort = new AbortController();
  /** Wakes the shard loop waiting for records. */
  readonly #wakers = new Map<string, () => void>();
  #loops: Promise<void>[] = [];
  /** Shards with a running loop. */
  readonly #running = new Set<string>();
  #unsubscribe: () => void = () => {};

  constructor(mapping: EventSourceMapping, source: ShardSource, deps: StreamPollerDeps) {
    this.#mapping = mapping;
    this.#source = source;
    this.#deps = deps;
    this.#windows = mapping.tumblingWindowInSeconds > 0 ? new TumblingWindows(mapping.tumblingWindowInSeconds, mapping.uuid, deps.checkpoints) : undefined;
  }

  start(): void {
    this.#unsubscribe = this.#source.onAppend((shards) => {
      for (const shard of shards) this.#wakers.get(shard)?.();
    });
    const { checkpoints } = this.#deps;
    const uuid = this.#mapping.uuid;
    const shards = this.#source.shards();
    if ((this.#mapping.startingPosition ?? 'LATEST') === 'LATEST' && shards.every((s) => checkpoints.get(uuid, s.id) === undefined)) {
      // LATEST is "from when the mapping started" for every shard at once: open shards at their tip, closed ones done.
      for (const shard of shards) this.#checkpoint(shard.id, shard.closed ? SHARD_END : this.#source.start(shard.id, false));
    }
    this.#startReadyShards(shards);
  }

  /** Starts a loop for each unfinished shard whose parents are finished (or no longer listed). */
  #startReadyShards(shards: ShardEntry[]): void {
    if (this.#abort.signal.aborted) return;
    const { checkpoints } = this.#deps;
    const uuid = this.#mapping.uuid;
    const listed = new Set(shards.map((s) => s.id));
    const done = (id: string) => checkpoints.get(uuid, id) === SHARD_END;
    for (const shard of shards) {
      if (this.#running.has(shard.id) || done(shard.id)) continue;
      const parents = shard.parents.filter((p) => listed.has(p));
      if (!parents.every(done)) continue;
      this.#running.add(shard.id);
      this.#loops.push(this.#loop(shard.id, parents.length > 0));
    }
  }

  /** A shard read to its end: its children may start. */
  #finish(shard: string): void {
    this.#checkpoint(shard, SHARD_END);
    this.#running.delete(shard);
    try {
      this.#startReadyShards(this.#source.shards());
    } catch (error) {
      this.#deps.log.warn(`event source ${this.#mapping.uuid} (${this.#mapping.eventSourceArn}): ${(error as Error).message}`);
    }
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

  async #loop(shard: string, afterParents: boolean): Promise<void> {
    const signal = this.#abort.signal;
    const mapping = this.#mapping;
    let position = this.#deps.checkpoints.get(mapping.uuid, shard);
    // Up to ParallelizationFactor batches of the shard at once: one chunk of records, split into lanes.
    const chunk = mapping.batchSize * mapping.parallelizationFactor;
    let failures = 0;
    while (!signal.aborted) {
      try {
        // The starting position is stored at once: LATEST means "from when the mapping started", across restarts.
        position ??= this.#checkpoint(shard, this.#source.start(shard, afterParents));
        let { records, next, ended } = this.#source.read(shard, position, chunk);
        const windows = this.#windows;
        const open = windows?.open(shard);
        if (records.length === 0) {
          // A window ends when its time is up (or its closed shard is read to the end): the final invocation.
          if (open !== undefined && (ended || Date.now() >= windows!.endOf(open.start))) {
            if (!(await this.#closeWindow(shard, open, false))) return;
            continue;
          }
          if (ended) return this.#finish(shard);
          // Idle: sleep until a commit (or a reshard) names this shard (the long timeout only bounds a missed wake-up).
          await this.#waitForRecords(shard, open === undefined ? 60_000 : windows!.endOf(open.start) - Date.now());
          continue;
        }
        if (windows !== undefined) {
          const start = windows.startOf(records[0]!.arrivalMs);
          // A record of a later window closes the open one first.
          if (open !== undefined && open.start !== start) {
            if (!(await this.#closeWindow(shard, open, false))) return;
            continue;
          }
          // A batch never spans two windows.
          const count = records.findIndex((r) => windows.startOf(r.arrivalMs) !== start);
          if (count !== -1) ({ records, next, ended } = this.#source.read(shard, position, count));
          if (open === undefined) windows.save(shard, { start, state: {} });
        }
        if (records.length < mapping.batchSize && !ended && mapping.maximumBatchingWindowInSeconds > 0) {
          const closesAt = records[0]!.arrivalMs + mapping.maximumBatchingWindowInSeconds * 1000;
          while (records.length < mapping.batchSize && !ended && Date.now() < closesAt && !signal.aborted) {
            await this.#waitForRecords(shard, closesAt - Date.now());
            ({ records, next, ended } = this.#source.read(shard, position!, chunk));
          }
        }
        // A window's state is one per shard: its batches run one at a time.
        const parallel = windows === undefined ? mapping.parallelizationFactor : 1;
        const delivered = await Promise.all(lanes(records, parallel).map((lane) => this.#deliver(shard, lane)));
        if (!delivered.every(Boolean)) return;
        // The checkpoint moves once every lane is through the chunk, also when the poller is stopping
        // meanwhile: a batch the function finished is not delivered again after a restart.
        if (ended) return this.#finish(shard);
        position = this.#checkpoint(shard, next);
        failures = 0;
      } catch (error) {
        if (signal.aborted) return;
        this.#deps.log.warn(`event source ${mapping.uuid} (${mapping.eventSourceArn}) ${shard}: ${(error as Error).message}`);
        await pause(backoffMs(++failures), signal);
      }
    }
  }

  /**
   * Invokes the function with `records` in order, BatchSize at a time, each batch retried until it
   * succeeds or is discarded; false when stopped first.
   */
  async #deliver(shard: string, records: ShardRecord[]): Promise<boolean> {
    const signal = this.#abort.signal;
    const mapping = this.#mapping;
    let pending = records;
    let limit = mapping.batchSize;
    let attempts = 0;
    while (pending.length > 0) {
      if (signal.aborted) return false;
      const batch = pending.slice(0, limit);
      const selected = batch.filter((r) => passesFilters(mapping.filters, r.record));
      const outcome = selected.length === 0 ? ({ kind: 'success' } as const) : await this.#invoke(shard, selected);
      if (outcome.kind === 'success') {
        pending = pending.slice(batch.length);
        limit = mapping.batchSize;
        attempts = 0;
        continue;
      }
      if (signal.aborted) return false;
      let failed = batch;
      if (outcome.kind === 'partial') {
        // The records before the first failed one are done; the retry starts there.
        const index = batch.findIndex((r) => outcome.failed.has(r.sequenceNumber));
        pending = pending.slice(index);
        failed = batch.slice(index);
      }
      attempts++;
      const tooOld = mapping.maximumRecordAgeInSeconds !== -1 && Date.now() - failed[0]!.arrivalMs > mapping.maximumRecordAgeInSeconds * 1000;
      const exhausted = mapping.maximumRetryAttempts !== -1 && attempts > mapping.maximumRetryAttempts;
      if (outcome.kind === 'failure' && mapping.bisectBatchOnFunctionError && limit > 1 && batch.length > 1) {
        // Halving does not count as a retry.
        limit = Math.ceil(batch.length / 2);
        attempts--;
        continue;
      }
      if (tooOld || exhausted) {
        await this.#discard(shard, failed, attempts, tooOld ? 'RecordAgeExceeded' : 'RetryAttemptsExhausted');
        pending = pending.slice(failed.length);
        limit = mapping.batchSize;
        attempts = 0;
        continue;
      }
      await pause(backoffMs(attempts), signal);
    }
    return true;
  }

  /** One batch; in a tumbling window with the window's fields, and the state the function answers kept for the next. */
  async #invoke(shard: string, selected: ShardRecord[]): Promise<Outcome> {
    const mapping = this.#mapping;
    const windows = this.#windows;
    const open = windows?.open(shard);
    const records = selected.map((r) => r.record);
    const ids = selected.map((r) => r.sequenceNumber);
    if (open === undefined) return invokeBatch(this.#deps, mapping, records, ids);
    const outcome = await invokeBatch(this.#deps, mapping, records, ids, windows!.eventFields(shard, mapping.eventSourceArn, open, false, false));
    if (outcome.kind === 'failure') return outcome;
    const state = stateOf(parseResponse(outcome.payload));
    // "If the response does not contain a state property, Lambda considers this a failed invocation."
    if (state === undefined) return { kind: 'failure', reason: 'the tumbling window response has no state' };
    const window = { start: open.start, state };
    if (JSON.stringify(state).length > MAX_STATE_BYTES) await this.#closeWindow(shard, window, true);
    else windows!.save(shard, window);
    return outcome;
  }

  /**
   * The final invocation of a window (no records, `isFinalInvokeForWindow`), retried until it
   * succeeds ("your Lambda function suspends further processing until a successful invocation");
   * then the state is dropped, or, when the state outgrew 1 MB, the same window goes on with a fresh one.
   */
  async #closeWindow(shard: string, window: OpenWindow, terminatedEarly: boolean): Promise<boolean> {
    const windows = this.#windows!;
    const signal = this.#abort.signal;
    for (let attempts = 1; !signal.aborted; attempts++) {
      const outcome = await invokeBatch(this.#deps, this.#mapping, [], [], windows.eventFields(shard, this.#mapping.eventSourceArn, window, true, terminatedEarly));
      if (outcome.kind !== 'failure') {
        windows.save(shard, terminatedEarly ? { start: window.start, state: {} } : undefined);
        return true;
      }
      await pause(backoffMs(attempts), signal);
    }
    return false;
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
