/**
 * How shards look from outside once streams can be resharded: the stream status (UPDATING for a
 * moment after a reshard), which shards are still listed (open ones, and closed ones until their
 * records pass the retention period), shard and child-shard output shapes, and ListShards filters.
 * AWS docs: Kinesis Data Streams API reference "Shard", "ChildShard", "ShardFilter", "ListShards";
 * developer guide "Resharding a stream" ("Data routing, data persistence, and shard state after a reshard").
 */
import { AwsServiceError } from '../protocol/errors.js';
import { invalidArgument, type KinesisContext } from './context.js';
import { parseShardId, sequenceNumber, shardId } from './sequence.js';
import type { ShardInfo, StreamInfo } from './store.js';

export type StreamStatus = 'ACTIVE' | 'UPDATING';

/** "SplitShard is an asynchronous operation ... sets the stream status to UPDATING. After the operation is completed, ... ACTIVE." */
export function streamStatus(stream: StreamInfo, now: number): StreamStatus {
  return now < stream.updatingUntilMs ? 'UPDATING' : 'ACTIVE';
}

/** Resharding operations need an ACTIVE stream (ResourceInUseException otherwise); wording as kinesalite recorded it. */
export function requireActive(ctx: KinesisContext, stream: StreamInfo): void {
  const status = streamStatus(stream, ctx.now());
  if (status !== 'ACTIVE') {
    throw new AwsServiceError('ResourceInUseException', `Stream ${stream.name} under account ${ctx.accountId} not ACTIVE, instead in state ${status}`, 400);
  }
}

/** The oldest moment whose records are still retained (never before the stream existed). */
export function trimHorizonMs(stream: StreamInfo, now: number): number {
  return Math.max(stream.createdMs, now - stream.retentionHours * 3_600_000);
}

/** "The parent shards ... remain accessible until the retention period passes"; after that a closed shard is no longer listed. */
export function retainedShards(stream: StreamInfo, now: number): ShardInfo[] {
  const horizon = trimHorizonMs(stream, now);
  return stream.shards.filter((s) => s.closed === undefined || s.closed.ms >= horizon);
}

export function shardOutput(shard: ShardInfo) {
  const [parent, adjacent] = shard.parents;
  return {
    ShardId: shardId(shard.index),
    ...(parent === undefined ? {} : { ParentShardId: shardId(parent) }),
    ...(adjacent === undefined ? {} : { AdjacentParentShardId: shardId(adjacent) }),
    HashKeyRange: { StartingHashKey: shard.range.start.toString(), EndingHashKey: shard.range.end.toString() },
    SequenceNumberRange: {
      StartingSequenceNumber: sequenceNumber(shard.index, 0),
      ...(shard.closed === undefined ? {} : { EndingSequenceNumber: sequenceNumber(shard.index, shard.closed.counter) }),
    },
  };
}

/** GetRecords' ChildShards: "returned ... only when the end of the current shard is reached". */
export function childShards(stream: StreamInfo, parent: number) {
  return stream.shards
    .filter((s) => s.parents.includes(parent))
    .map((s) => ({
      ShardId: shardId(s.index),
      ParentShards: s.parents.map(shardId),
      HashKeyRange: { StartingHashKey: s.range.start.toString(), EndingHashKey: s.range.end.toString() },
    }));
}

export type ShardFilterType = 'AFTER_SHARD_ID' | 'AT_TRIM_HORIZON' | 'FROM_TRIM_HORIZON' | 'AT_LATEST' | 'AT_TIMESTAMP' | 'FROM_TIMESTAMP';
const FILTER_TYPES: ReadonlySet<string> = new Set(['AFTER_SHARD_ID', 'AT_TRIM_HORIZON', 'FROM_TRIM_HORIZON', 'AT_LATEST', 'AT_TIMESTAMP', 'FROM_TIMESTAMP']);

export interface ShardFilter {
  type: ShardFilterType;
  /** AFTER_SHARD_ID: the index after which shards are listed. */
  afterIndex?: number;
  /** AT_TIMESTAMP / FROM_TIMESTAMP: epoch milliseconds. */
  timestampMs?: number;
}

/**
 * Reads a ShardFilter member; `timestampOf` converts its Timestamp the way the protocol carries it.
 * (The API reference documents the required ShardId/Timestamp but not AWS's wording when missing: ours.)
 */
export function parseShardFilter(value: unknown, timestampOf: (input: Record<string, unknown>) => number | undefined): ShardFilter | undefined {
  if (value === undefined || value === null) return undefined;
  const input = value as Record<string, unknown>;
  const type = input['Type'];
  if (typeof type !== 'string' || !FILTER_TYPES.has(type)) {
    throw new AwsServiceError(
      'ValidationException',
      `1 validation error detected: Value '${String(type)}' at 'shardFilter.type' failed to satisfy constraint: Member must satisfy enum value set: [${[...FILTER_TYPES].join(', ')}]`,
      400,
    );
  }
  const filter: ShardFilter = { type: type as ShardFilterType };
  if (type === 'AFTER_SHARD_ID') {
    const id = input['ShardId'];
    const index = typeof id === 'string' ? parseShardId(id) : null;
    if (index === null) throw invalidArgument('ShardId must be specified for ShardFilter type AFTER_SHARD_ID.');
    filter.afterIndex = index;
  }
  if (type === 'AT_TIMESTAMP' || type === 'FROM_TIMESTAMP') {
    const ms = timestampOf(input);
    if (ms === undefined) throw invalidArgument(`Timestamp must be specified for ShardFilter type ${type}.`);
    filter.timestampMs = ms;
  }
  return filter;
}

/** The shards a ListShards filter selects, in shard id order (see ShardFilter.Type in the API reference). */
export function filterShards(stream: StreamInfo, filter: ShardFilter | undefined, now: number): ShardInfo[] {
  const retained = retainedShards(stream, now);
  if (filter === undefined) return retained;
  const horizon = trimHorizonMs(stream, now);
  // "Corrected to TRIM_HORIZON of the data stream if FROM_TIMESTAMP is less than the TRIM_HORIZON value."
  const at = Math.max(filter.timestampMs ?? horizon, horizon);
  const openAt = (s: ShardInfo, ms: number) => s.createdMs <= ms && (s.closed === undefined || s.closed.ms >= ms);
  switch (filter.type) {
    case 'FROM_TRIM_HORIZON':
      return retained;
    case 'AFTER_SHARD_ID':
      return retained.filter((s) => s.index > filter.afterIndex!);
    case 'AT_LATEST':
      return retained.filter((s) => s.closed === undefined);
    case 'AT_TRIM_HORIZON':
      return retained.filter((s) => openAt(s, horizon));
    case 'AT_TIMESTAMP':
      return retained.filter((s) => openAt(s, at));
    case 'FROM_TIMESTAMP':
      return retained.filter((s) => s.closed === undefined || s.closed.ms >= at);
  }
}
