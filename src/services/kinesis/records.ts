/**
 * Writing and reading records: PutRecord, PutRecords, GetShardIterator and GetRecords.
 * AWS docs: Kinesis Data Streams API reference, "PutRecord", "PutRecords", "GetShardIterator", "GetRecords".
 */
import { AwsServiceError } from '../protocol/errors.js';
import {
  blob,
  Bytes,
  invalidArgument,
  notFound,
  optionalInteger,
  optionalString,
  requiredString,
  requireStream,
  timestamp,
  Timestamp,
  validation,
  type Input,
  type KinesisContext,
  type Operation,
} from './context.js';
import { parseExplicitHashKey, partitionKeyHash, rangeIndexOf } from './hash-keys.js';
import { decodeIterator, encodeIterator, ITERATOR_TTL_MS, parseSequenceNumber, parseShardId, sequenceNumber, shardId } from './sequence.js';
import { childShards } from './shards.js';
import type { NewRecord, StreamInfo } from './store.js';

/** "The data blob ... The maximum size of the data payload of a record before base64-encoding is up to 1 MiB." (with the partition key) */
const MAX_RECORD_BYTES = 1024 * 1024;
/** PutRecords: "up to 500 records ... up to a limit of 5 MiB for the entire request". */
const MAX_BATCH_RECORDS = 500;
const MAX_BATCH_BYTES = 5 * 1024 * 1024;
/** GetRecords: "The size of the data returned by GetRecords varies depending on the utilization of the shard. It can return up to 10 MiB". */
const MAX_GET_BYTES = 10 * 1024 * 1024;

/** The shard a record goes to, and the record as stored; `member` names the field in errors (`records.1.member.partitionKey`). */
function placeRecord(stream: StreamInfo, entry: Input, member: string): NewRecord {
  const partitionKey = entry['PartitionKey'];
  if (typeof partitionKey !== 'string') throw validation(undefined, `${member}partitionKey`, 'Member must not be null');
  if (partitionKey.length < 1 || partitionKey.length > 256) {
    throw validation(partitionKey, `${member}partitionKey`, `Member must have length ${partitionKey.length < 1 ? 'greater than or equal to 1' : 'less than or equal to 256'}`);
  }
  const data = blob(entry, 'Data');
  if (data.length + Buffer.byteLength(partitionKey) > MAX_RECORD_BYTES) {
    throw validation('java.nio.HeapByteBuffer', `${member}data`, `Member must have length less than or equal to ${MAX_RECORD_BYTES}`);
  }
  let hashKey: bigint;
  const explicit = entry['ExplicitHashKey'];
  if (explicit !== undefined && explicit !== null) {
    const parsed = typeof explicit === 'string' ? parseExplicitHashKey(explicit) : null;
    if (parsed === null) {
      throw invalidArgument(`Invalid ExplicitHashKey. ExplicitHashKey must be in the range: [0, 2^128-1]. Specified value was ${String(explicit)}`);
    }
    hashKey = parsed;
  } else {
    hashKey = partitionKeyHash(partitionKey);
  }
  return { shardIndex: stream.open[rangeIndexOf(stream.open, hashKey)]!.index, partitionKey, data };
}

async function commit(ctx: KinesisContext, stream: StreamInfo, records: NewRecord[]): Promise<{ SequenceNumber: string; ShardId: string }[]> {
  const counters = await ctx.store.append(stream, records, ctx.now());
  ctx.appended(stream, new Set(records.map((r) => r.shardIndex)));
  return records.map((r, i) => ({ SequenceNumber: sequenceNumber(r.shardIndex, counters[i]!), ShardId: shardId(r.shardIndex) }));
}

const putRecord: Operation = async (ctx, input) => {
  const stream = requireStream(ctx, input);
  const ordering = optionalString(input, 'SequenceNumberForOrdering');
  // Ordering is strict per shard already; the value only has to be a sequence number.
  if (ordering !== undefined && !/^(0|[1-9]\d{0,128})$/.test(ordering)) {
    throw validation(ordering, 'sequenceNumberForOrdering', 'Member must satisfy regular expression pattern: 0|([1-9]\\d{0,128})');
  }
  // AWS leaves EncryptionType out for streams without server-side encryption (the API Gateway
  // Kinesis proxy tutorial shows {"SequenceNumber", "ShardId"} / {"FailedRecordCount", "Records"} only).
  const [written] = await commit(ctx, stream, [placeRecord(stream, input, '')]);
  return written;
};

const putRecords: Operation = async (ctx, input) => {
  const stream = requireStream(ctx, input);
  const entries = input['Records'];
  if (!Array.isArray(entries)) throw validation(undefined, 'records', 'Member must not be null');
  if (entries.length < 1) throw validation('[]', 'records', 'Member must have length greater than or equal to 1');
  if (entries.length > MAX_BATCH_RECORDS) {
    throw validation(`[${entries.length} records]`, 'records', `Member must have length less than or equal to ${MAX_BATCH_RECORDS}`);
  }
  const records = entries.map((entry, i) => placeRecord(stream, (entry ?? {}) as Input, `records.${i + 1}.member.`));
  const total = records.reduce((sum, r) => sum + r.data.length + Buffer.byteLength(r.partitionKey), 0);
  if (total > MAX_BATCH_BYTES) throw invalidArgument(`Records size exceeds 5 MB limit`);
  // Throughput limits are not emulated, so no record fails individually.
  return { FailedRecordCount: 0, Records: await commit(ctx, stream, records) };
};

type IteratorType = 'TRIM_HORIZON' | 'LATEST' | 'AT_SEQUENCE_NUMBER' | 'AFTER_SEQUENCE_NUMBER' | 'AT_TIMESTAMP';
const ITERATOR_TYPES: ReadonlySet<string> = new Set(['TRIM_HORIZON', 'LATEST', 'AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER', 'AT_TIMESTAMP']);

export interface StartingPosition {
  type: IteratorType;
  sequenceNumber?: string;
  /** Epoch milliseconds. */
  timestampMs?: number;
}

/** The counter of the first record an iterator of this type reads. */
export function positionOf(ctx: KinesisContext, stream: StreamInfo, shardIndex: number, start: StartingPosition): number {
  const shard = stream.shards[shardIndex]!;
  switch (start.type) {
    case 'TRIM_HORIZON':
      return 1;
    case 'LATEST':
      return shard.lastCounter + 1;
    case 'AT_TIMESTAMP': {
      if (start.timestampMs === undefined) throw invalidArgument('The timestampInMillis parameter cannot be null for ShardIteratorType AT_TIMESTAMP');
      return ctx.store.firstAtOrAfter(stream, shardIndex, start.timestampMs) ?? shard.lastCounter + 1;
    }
    case 'AT_SEQUENCE_NUMBER':
    case 'AFTER_SEQUENCE_NUMBER': {
      const value = start.sequenceNumber;
      if (value === undefined) throw invalidArgument(`StartingSequenceNumber must be provided for ShardIteratorType ${start.type}.`);
      const parsed = parseSequenceNumber(value);
      if (parsed === null) throw invalidArgument(`StartingSequenceNumber ${value} used in GetShardIterator on shard ${shardId(shardIndex)} in stream ${stream.name} under account ${ctx.accountId} is invalid.`);
      if (parsed.shardIndex !== shardIndex) {
        throw invalidArgument(
          `Invalid StartingSequenceNumber. It encodes ${shardId(parsed.shardIndex)}, while it was used in a call to a shard with ${shardId(shardIndex)}`,
        );
      }
      return start.type === 'AT_SEQUENCE_NUMBER' ? parsed.counter : parsed.counter + 1;
    }
  }
}

export function shardIndexOf(ctx: KinesisContext, stream: StreamInfo, id: string): number {
  const index = parseShardId(id);
  if (index === null || stream.shards[index] === undefined) {
    throw notFound(`Shard ${id} in stream ${stream.name} under account ${ctx.accountId} does not exist`);
  }
  return index;
}

const getShardIterator: Operation = (ctx, input) => {
  const stream = requireStream(ctx, input);
  const shardIndex = shardIndexOf(ctx, stream, requiredString(input, 'ShardId'));
  const type = requiredString(input, 'ShardIteratorType');
  if (!ITERATOR_TYPES.has(type)) {
    throw validation(type, 'shardIteratorType', 'Member must satisfy enum value set: [AT_SEQUENCE_NUMBER, AFTER_SEQUENCE_NUMBER, TRIM_HORIZON, LATEST, AT_TIMESTAMP]');
  }
  const start: StartingPosition = { type: type as IteratorType };
  const seq = optionalString(input, 'StartingSequenceNumber');
  if (seq !== undefined) start.sequenceNumber = seq;
  const ts = timestamp(input, 'Timestamp');
  if (ts !== undefined) start.timestampMs = ts;
  const position = positionOf(ctx, stream, shardIndex, start);
  return {
    ShardIterator: encodeIterator({ streamKey: stream.key, streamName: stream.name, shardIndex, position, issuedMs: ctx.now() }),
  };
};

export interface ReadBatch {
  records: { counter: number; partitionKey: string; data: Buffer; arrivalMs: number }[];
  /** Counter of the next record to read. */
  next: number;
  millisBehindLatest: number;
  /** The shard is closed and nothing is left to read after these records. */
  ended: boolean;
}

/** Reads from `position`, skipping records past the retention period, within the count and size limits. */
export function readBatch(ctx: KinesisContext, stream: StreamInfo, shardIndex: number, position: number, limit: number): ReadBatch {
  const now = ctx.now();
  const closed = stream.shards[shardIndex]!.closed;
  const rows = ctx.store.read(stream, shardIndex, position, now - stream.retentionHours * 3_600_000, limit + 1);
  const records: ReadBatch['records'] = [];
  let bytes = 0;
  for (const row of rows) {
    if (records.length === limit) break;
    if (records.length > 0 && bytes + row.data.length > MAX_GET_BYTES) break;
    bytes += row.data.length;
    records.push(row);
  }
  const unread = rows[records.length];
  const last = records[records.length - 1];
  return {
    records,
    // After trimmed records the next read starts past them.
    next: last !== undefined ? last.counter + 1 : Math.max(position, unread?.counter ?? position),
    millisBehindLatest: unread === undefined ? 0 : Math.max(0, now - unread.arrivalMs),
    // A closed shard gets no more records: once nothing is unread, its end is reached.
    ended: closed !== undefined && unread === undefined,
  };
}

const getRecords: Operation = (ctx, input) => {
  const token = requiredString(input, 'ShardIterator');
  const limit = optionalInteger(input, 'Limit', 1, 10000) ?? 10000;
  const state = decodeIterator(token);
  if (state === null) throw invalidArgument(`Invalid ShardIterator.`);
  const now = ctx.now();
  if (now - state.issuedMs > ITERATOR_TTL_MS) {
    throw new AwsServiceError(
      'ExpiredIteratorException',
      `Iterator expired. The iterator was created at time ${new Date(state.issuedMs).toUTCString()} while right now it is ${new Date(now).toUTCString()} which is further in the future than the tolerated delay of ${ITERATOR_TTL_MS} milliseconds.`,
      400,
    );
  }
  const stream = ctx.store.get(state.streamName);
  if (stream === undefined || stream.key !== state.streamKey) {
    throw notFound(`Shard ${shardId(state.shardIndex)} in stream ${state.streamName} under account ${ctx.accountId} does not exist`);
  }
  const batch = readBatch(ctx, stream, state.shardIndex, state.position, limit);
  return {
    Records: batch.records.map((r) => ({
      SequenceNumber: sequenceNumber(state.shardIndex, r.counter),
      ApproximateArrivalTimestamp: new Timestamp(r.arrivalMs),
      Data: new Bytes(r.data),
      PartitionKey: r.partitionKey,
    })),
    // "If set to null, the shard has been closed and the requested iterator does not return any more data";
    // ChildShards come "only when the end of the current shard is reached".
    ...(batch.ended ? {} : { NextShardIterator: encodeIterator({ ...state, position: batch.next, issuedMs: now }) }),
    MillisBehindLatest: batch.millisBehindLatest,
    ...(batch.ended ? { ChildShards: childShards(stream, state.shardIndex) } : {}),
  };
};

export const RECORD_OPERATIONS: Record<string, Operation> = {
  PutRecord: putRecord,
  PutRecords: putRecords,
  GetShardIterator: getShardIterator,
  GetRecords: getRecords,
};
