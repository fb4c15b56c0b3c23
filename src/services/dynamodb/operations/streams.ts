/**
 * DynamoDB Streams API (Amazon DynamoDB Streams API Reference: ListStreams, DescribeStream,
 * GetShardIterator, GetRecords). Each stream has one shard; records are read from SQLite by
 * sequence number, and shard iterators are opaque tokens valid for 15 minutes.
 */
import { createHash } from 'node:crypto';
import { AwsServiceError } from '../../protocol/errors.js';
import type { DynamoContext, Input } from '../context.js';
import { resourceNotFound, validation, Violations } from '../errors.js';
import { padSequence, type Store, type StreamRecord, type StreamRow } from '../store.js';

/** Shard iterators expire 15 minutes after they are returned (Streams API Reference "GetShardIterator"). */
const ITERATOR_TTL_MS = 15 * 60 * 1000;
const ITERATOR_TYPES = ['TRIM_HORIZON', 'LATEST', 'AT_SEQUENCE_NUMBER', 'AFTER_SEQUENCE_NUMBER'] as const;

export function shardIdOf(row: StreamRow): string {
  const suffix = createHash('sha256').update(row.arn).digest('hex').slice(0, 8);
  return `shardId-${String(Math.floor(row.created * 1000)).padStart(20, '0')}-${suffix}`;
}

function streamByArn(ctx: DynamoContext, arn: unknown): StreamRow {
  const row = typeof arn === 'string' ? ctx.store.streamLog.byArn(arn) : undefined;
  if (row === undefined) throw resourceNotFound(`Requested resource not found: Stream: ${String(arn)} not found`);
  return row;
}

export function listStreams(ctx: DynamoContext, input: Input): unknown {
  const v = new Violations();
  v.minimum(input['Limit'], 'limit', 1);
  v.maximum(input['Limit'], 'limit', 100);
  v.throwIfAny();
  const tableName = typeof input['TableName'] === 'string' ? input['TableName'] : undefined;
  let rows = ctx.store.streamLog.list(tableName);
  const after = input['ExclusiveStartStreamArn'];
  if (typeof after === 'string') {
    const at = rows.findIndex((r) => r.arn === after);
    rows = at === -1 ? [] : rows.slice(at + 1);
  }
  const limit = typeof input['Limit'] === 'number' ? input['Limit'] : 100;
  const page = rows.slice(0, limit);
  const out: Record<string, unknown> = { Streams: page.map((r) => ({ StreamArn: r.arn, TableName: r.table_name, StreamLabel: r.label })) };
  if (rows.length > limit) out['LastEvaluatedStreamArn'] = page[page.length - 1]!.arn;
  return out;
}

export function describeStream(ctx: DynamoContext, input: Input): unknown {
  const v = new Violations();
  v.notNull(input['StreamArn'], 'streamArn');
  v.throwIfAny();
  const row = streamByArn(ctx, input['StreamArn']);
  const bounds = ctx.store.streamLog.bounds(row.id);
  const shardId = shardIdOf(row);
  const range: Record<string, string> = { StartingSequenceNumber: padSequence(bounds.first ?? row.first_seq) };
  if (row.closed !== null) range['EndingSequenceNumber'] = padSequence(bounds.last ?? row.first_seq);
  const shards = input['ExclusiveStartShardId'] === shardId ? [] : [{ ShardId: shardId, SequenceNumberRange: range }];
  return {
    StreamDescription: {
      StreamArn: row.arn,
      StreamLabel: row.label,
      StreamStatus: row.closed === null ? 'ENABLED' : 'DISABLED',
      StreamViewType: row.view_type,
      CreationRequestDateTime: row.created,
      TableName: row.table_name,
      KeySchema: JSON.parse(row.key_schema) as unknown,
      Shards: shards,
    },
  };
}

interface IteratorState {
  arn: string;
  shard: string;
  /** Records with a sequence number greater than this come next. */
  after: number;
  issued: number;
}

const encodeIterator = (s: IteratorState): string => Buffer.from(JSON.stringify(s)).toString('base64url');

export function getShardIterator(ctx: DynamoContext, input: Input): unknown {
  const v = new Violations();
  v.notNull(input['StreamArn'], 'streamArn');
  v.notNull(input['ShardId'], 'shardId');
  if (v.notNull(input['ShardIteratorType'], 'shardIteratorType')) v.enumValue(input['ShardIteratorType'], 'shardIteratorType', ITERATOR_TYPES);
  v.throwIfAny();
  const row = streamByArn(ctx, input['StreamArn']);
  if (input['ShardId'] !== shardIdOf(row)) throw resourceNotFound(`Requested resource not found: Shard does not exist`);
  const type = input['ShardIteratorType'] as (typeof ITERATOR_TYPES)[number];
  let after: number;
  if (type === 'TRIM_HORIZON') after = row.first_seq - 1;
  else if (type === 'LATEST') after = Math.max(ctx.store.streamLog.lastSequence(), row.first_seq - 1);
  else {
    const text = input['SequenceNumber'];
    if (typeof text !== 'string' || !/^\d{1,40}$/.test(text)) throw validation(`Invalid SequenceNumber for ShardIteratorType ${type}: ${String(text)}`);
    const seq = Number(text);
    const bounds = ctx.store.streamLog.bounds(row.id);
    // Records older than the oldest kept one were trimmed (24-hour retention).
    if (bounds.first !== null && bounds.first > row.first_seq && seq < bounds.first) {
      throw new AwsServiceError('TrimmedDataAccessException', 'The operation attempted to read past the oldest stream record in a shard.');
    }
    after = type === 'AT_SEQUENCE_NUMBER' ? seq - 1 : seq;
  }
  return { ShardIterator: encodeIterator({ arn: row.arn, shard: shardIdOf(row), after, issued: ctx.now() }) };
}

export function getRecords(ctx: DynamoContext, input: Input): unknown {
  const v = new Violations();
  v.notNull(input['ShardIterator'], 'shardIterator');
  v.minimum(input['Limit'], 'limit', 1);
  v.maximum(input['Limit'], 'limit', 1000);
  v.throwIfAny();
  let state: IteratorState;
  try {
    state = JSON.parse(Buffer.from(String(input['ShardIterator']), 'base64url').toString('utf8')) as IteratorState;
    if (typeof state.arn !== 'string' || typeof state.after !== 'number') throw new Error('shape');
  } catch {
    throw validation('Invalid ShardIterator');
  }
  if (ctx.now() - state.issued > ITERATOR_TTL_MS) throw new AwsServiceError('ExpiredIteratorException', 'Shard iterator has expired');
  const row = streamByArn(ctx, state.arn);
  const limit = typeof input['Limit'] === 'number' ? input['Limit'] : 1000;
  const rows = ctx.store.streamLog.records(row.id, state.after, limit);
  const after = rows.length > 0 ? rows[rows.length - 1]!.seq : state.after;
  const out: Record<string, unknown> = { Records: rows.map((r) => r.record) };
  // A disabled stream's shard is closed: once drained it has no next iterator.
  if (!(row.closed !== null && rows.length === 0)) out['NextShardIterator'] = encodeIterator({ ...state, after, issued: ctx.now() });
  return out;
}

/** A stream record as event sources hand it to Lambda: the GetRecords record plus its stream ARN. */
export type StreamEventRecord = StreamRecord & { eventSourceARN: string };

/**
 * Records of a table's current (or newest) stream with a sequence number after
 * `afterSequenceNumber` (all retained records when undefined), oldest first.
 */
export function readTableStream(store: Store, tableName: string, afterSequenceNumber: string | undefined, limit: number): StreamEventRecord[] {
  const def = store.table(tableName);
  const rows = store.streamLog.list(tableName);
  const row = (def?.stream !== undefined ? rows.find((r) => r.id === def.stream!.id) : undefined) ?? rows[rows.length - 1];
  if (row === undefined) return [];
  const after = afterSequenceNumber === undefined ? row.first_seq - 1 : Number(afterSequenceNumber);
  return store.streamLog.records(row.id, after, limit).map((r) => ({ ...r.record, eventSourceARN: row.arn }));
}
